_sockscope() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="sockscope"
                ;;
            sockscope,config)
                cmd="sockscope__subcmd__config"
                ;;
            sockscope,help)
                cmd="sockscope__subcmd__help"
                ;;
            sockscope,record)
                cmd="sockscope__subcmd__record"
                ;;
            sockscope,replay)
                cmd="sockscope__subcmd__replay"
                ;;
            sockscope,serve)
                cmd="sockscope__subcmd__serve"
                ;;
            sockscope,snapshot)
                cmd="sockscope__subcmd__snapshot"
                ;;
            sockscope,top)
                cmd="sockscope__subcmd__top"
                ;;
            sockscope__subcmd__help,config)
                cmd="sockscope__subcmd__help__subcmd__config"
                ;;
            sockscope__subcmd__help,help)
                cmd="sockscope__subcmd__help__subcmd__help"
                ;;
            sockscope__subcmd__help,record)
                cmd="sockscope__subcmd__help__subcmd__record"
                ;;
            sockscope__subcmd__help,replay)
                cmd="sockscope__subcmd__help__subcmd__replay"
                ;;
            sockscope__subcmd__help,serve)
                cmd="sockscope__subcmd__help__subcmd__serve"
                ;;
            sockscope__subcmd__help,snapshot)
                cmd="sockscope__subcmd__help__subcmd__snapshot"
                ;;
            sockscope__subcmd__help,top)
                cmd="sockscope__subcmd__help__subcmd__top"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        sockscope)
            opts="-h -V --netns --netns-path --pid --all-netns --no-processes --full-dump-budget --interval --read-only --history --export-dir --log-file --fire-after --resolve-after --alert-window --near-full-ratio --near-full-for --close-wait-min-age --close-wait-min-count --port-warn-ratio --disable-rule --config --help --version snapshot top serve record replay config help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --netns)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --netns-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --pid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --full-dump-budget)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --history)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --export-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fire-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --resolve-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --alert-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-for)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-age)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-count)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --port-warn-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disable-rule)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__config)
            opts="-h --print --fire-after --resolve-after --alert-window --near-full-ratio --near-full-for --close-wait-min-age --close-wait-min-count --port-warn-ratio --disable-rule --config --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --fire-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --resolve-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --alert-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-for)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-age)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-count)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --port-warn-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disable-rule)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__help)
            opts="snapshot top serve record replay config help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__help__subcmd__config)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__help__subcmd__record)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__help__subcmd__replay)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__help__subcmd__serve)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__help__subcmd__snapshot)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__help__subcmd__top)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__record)
            opts="-h --interval --duration --netns --netns-path --pid --all-netns --no-processes --full-dump-budget --config --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --duration)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --netns)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --netns-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --pid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --full-dump-budget)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__replay)
            opts="-h --speed --history --export-dir --log-file --fire-after --resolve-after --alert-window --near-full-ratio --near-full-for --close-wait-min-age --close-wait-min-count --port-warn-ratio --disable-rule --config --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --speed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --history)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --export-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fire-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --resolve-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --alert-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-for)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-age)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-count)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --port-warn-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disable-rule)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__serve)
            opts="-h --listen --max-listeners --cache --max-connections --idle-timeout --netns --netns-path --pid --all-netns --no-processes --full-dump-budget --fire-after --resolve-after --alert-window --near-full-ratio --near-full-for --close-wait-min-age --close-wait-min-count --port-warn-ratio --disable-rule --config --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-listeners)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cache)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-connections)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --idle-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --netns)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --netns-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --pid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --full-dump-budget)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fire-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --resolve-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --alert-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-for)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-age)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-count)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --port-warn-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disable-rule)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__snapshot)
            opts="-o -h --format --output --sockets --from --at --max-listeners --watch --interval --fail-on --netns --netns-path --pid --all-netns --no-processes --full-dump-budget --fire-after --resolve-after --alert-window --near-full-ratio --near-full-for --close-wait-min-age --close-wait-min-count --port-warn-ratio --disable-rule --config --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --format)
                    COMPREPLY=($(compgen -W "text json csv prometheus" -- "${cur}"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -o)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --from)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --at)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-listeners)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --watch)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fail-on)
                    COMPREPLY=($(compgen -W "warning critical" -- "${cur}"))
                    return 0
                    ;;
                --netns)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --netns-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --pid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --full-dump-budget)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fire-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --resolve-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --alert-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-for)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-age)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-count)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --port-warn-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disable-rule)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        sockscope__subcmd__top)
            opts="-h --netns --netns-path --pid --all-netns --no-processes --full-dump-budget --interval --read-only --history --export-dir --log-file --fire-after --resolve-after --alert-window --near-full-ratio --near-full-for --close-wait-min-age --close-wait-min-count --port-warn-ratio --disable-rule --config --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --netns)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --netns-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --pid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --full-dump-budget)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --history)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --export-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fire-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --resolve-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --alert-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --near-full-for)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-age)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --close-wait-min-count)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --port-warn-ratio)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disable-rule)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _sockscope -o nosort -o bashdefault -o default sockscope
else
    complete -F _sockscope -o bashdefault -o default sockscope
fi
