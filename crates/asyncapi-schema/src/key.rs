//! An object key as the fast path looks it up: read once into two words, from which come its
//! fingerprint, its slot in a node's property table and, for short keys, equality.

/// A key's bytes packed into two words, and its length: a key of up to 16 bytes is all there
/// (8 to 16 bytes: the first and the last eight, overlapping; 4 to 7: the first and last four; 1
/// to 3: the first, middle and last byte), so short keys compare without reading them again; of
/// a longer key, the first and last eight bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Key {
    head: u64,
    tail: u64,
    len: usize,
}

/// Longest key whose [`Key`] determines it.
const EXACT: usize = 16;

impl Key {
    /// Reads a key.
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

    /// The words and the length mixed: equal keys have equal fingerprints, and different keys
    /// rarely do.
    #[inline]
    pub fn fingerprint(&self) -> u64 {
        let mixed = self.head.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            ^ self.tail.wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
            ^ (self.len as u64).wrapping_mul(0x1656_67b1_9e37_79f9);
        (mixed ^ mixed >> 29).wrapping_mul(0xbf58_476d_1ce4_e5b9)
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
