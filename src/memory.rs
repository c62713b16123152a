//! Process-wide memory tuning for long-running commands.

/// Makes freed large buffers go back to the kernel. The socket list is
/// rebuilt every interval (about 10 MiB at 100k sockets) on the collection
/// thread and freed on another; glibc's adaptive mmap threshold would keep
/// such buffers in its heaps, where fragmentation holds RSS near its peak.
/// A fixed threshold of 256 KiB maps each large buffer on its own and
/// unmaps it when freed, so RSS follows the live socket count. Call it
/// before starting threads. No effect outside glibc.
pub fn return_large_buffers_to_the_kernel() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only changes an allocator tunable.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}
