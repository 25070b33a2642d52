//! An object key as the fast path looks it up: read once into two words, from which come its
//! fingerprint, its slot in a node's property table and, for short keys, equality.

/// A key's first and last eight bytes (overlapping, or fewer, when it is shorter) and its length.
/// Up to 16 bytes the three determine the key, so short keys compare without reading them again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    head: u64,
    tail: u64,
    len: usize,
}

/// Longest key whose [`Key`] determines it.
const EXACT: usize = 16;

impl Key {
    #[inline]
    pub fn of(key: &str) -> Self {
        let b = key.as_bytes();
        let n = b.len();
        let u64_at = |i: usize| {
            b.get(i..i + 8)
                .and_then(|w| w.try_into().ok())
                .map_or(0, u64::from_le_bytes)
        };
        let u32_at = |i: usize| {
            b.get(i..i + 4)
                .and_then(|w| w.try_into().ok())
                .map_or(0, u32::from_le_bytes)
        };
        let (head, tail) = match n {
            8.. => (u64_at(0), u64_at(n - 8)),
            4..8 => (u64::from(u32_at(0)) | u64::from(u32_at(n - 4)) << 32, 0),
            1..4 => {
                let (a, m, z) = (b[0], b[n / 2], b[n - 1]);
                (u64::from(a) | u64::from(m) << 8 | u64::from(z) << 16, 0)
            }
            0 => (0, 0),
        };
        Self { head, tail, len: n }
    }

    /// The words mixed: equal keys have equal fingerprints, and different keys rarely do.
    #[inline]
    pub fn fingerprint(&self) -> u64 {
        (self.head ^ self.tail.rotate_left(29) ^ (self.len as u64).rotate_left(57))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// The key's slot among 64, under a node's `seed`.
    #[inline]
    pub fn slot(&self, seed: u64) -> usize {
        (self.fingerprint().wrapping_mul(seed) >> 58) as usize
    }

    /// Whether `self`, read from `text`, is the key `other` was read from, `other_text`.
    #[inline]
    pub fn is(&self, text: &str, other: &Key, other_text: &str) -> bool {
        self == other && (self.len <= EXACT || text == other_text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_told_apart_by_their_words_and_long_ones_by_their_text() {
        let keys = [
            "",
            "a",
            "b",
            "ab",
            "ba",
            "abc",
            "acb",
            "abcd",
            "abce",
            "abcde",
            "abdde",
            "abcdefg",
            "abcdefgh",
            "abcdefgi",
            "bbcdefgh",
            "abcdefghijklmnop",
            "abcdefghijklmnoq",
            "abcdefgXijklmnop",
            "abcdefghijklmnopq",
            "abcdefghXjklmnopq",
            "max_instances",
            "min_instances",
        ];
        for a in keys {
            for b in keys {
                let (ka, kb) = (Key::of(a), Key::of(b));
                assert_eq!(ka.is(a, &kb, b), a == b, "{a:?} {b:?}");
                if a.len() <= EXACT && b.len() <= EXACT {
                    assert_eq!(ka == kb, a == b, "{a:?} {b:?}");
                }
            }
        }
        // Past 16 bytes the middle is not read: only the text tells these apart.
        let (a, b) = ("abcdefghijklmnopq", "abcdefghXjklmnopq");
        assert_eq!(Key::of(a), Key::of(b));
        assert!(!Key::of(a).is(a, &Key::of(b), b));
    }
}
