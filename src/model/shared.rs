//! A value shared by every frame that holds it unchanged: each namespace's
//! kernel counters and tunables are the same from one sample to the next
//! while the namespace is quiet, so its kept frames (and the merged
//! frames of `--all-netns`) hold one copy between them instead of one map
//! per frame. Serialized as the value itself.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A value behind a reference count, copied on write.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    /// Shares `value`.
    pub fn new(value: T) -> Shared<T> {
        Shared(Arc::new(value))
    }

    /// Whether `self` and `other` hold the same copy.
    pub fn same_copy(&self, other: &Shared<T>) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: PartialEq> Shared<T> {
    /// Holds `other`'s copy instead of its own when the two are equal.
    pub fn share_if_equal(&mut self, other: &Shared<T>) {
        if !self.same_copy(other) && *self.0 == *other.0 {
            self.0 = Arc::clone(&other.0);
        }
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Shared<T> {
        Shared::new(value)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'a, T> IntoIterator for &'a Shared<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        self.0.as_ref().into_iter()
    }
}

/// Writing copies the value first when another holder shares it.
impl<T: Clone> DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn equal_values_share_one_copy_and_a_write_copies_it_first() {
        let mut a: Shared<BTreeMap<String, u64>> =
            BTreeMap::from([("InSegs".to_owned(), 5)]).into();
        let mut b = Shared::new((*a).clone());
        assert!(!b.same_copy(&a));
        b.share_if_equal(&a);
        assert!(b.same_copy(&a));
        b.insert("InSegs".to_owned(), 6);
        assert!(!b.same_copy(&a), "written in a copy of its own");
        assert_eq!((a["InSegs"], b["InSegs"]), (5, 6));
        a.share_if_equal(&b);
        assert_eq!(a["InSegs"], 5, "unequal values stay apart");
    }

    #[test]
    fn serializes_as_the_value() {
        let a: Shared<BTreeMap<String, u64>> =
            BTreeMap::from([("ListenDrops".to_owned(), 3)]).into();
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"{"ListenDrops":3}"#);
        let back: Shared<BTreeMap<String, u64>> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let packed = rmp_serde::to_vec_named(&a).unwrap();
        assert_eq!(packed, rmp_serde::to_vec_named(&*a).unwrap());
    }
}
