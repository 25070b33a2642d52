//! Scans over JSON text that the view reader and a reply's status check share: how far a
//! string's plain run goes, and how far whitespace does.

/// How many bytes from the start of `b` need no unescaping: up to a quote, a backslash or a
/// control character. Most of what a view reads is strings, and most of a string's cost is this
/// search: sixteen bytes at a time in vector registers on x86_64, eight in a `u64` elsewhere.
#[inline]
pub(crate) fn plain_run(b: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: the function's one requirement is the SSE2 target feature, which is part of
        // the x86_64 baseline: every x86_64 processor has it. It reads memory only through safe
        // slices.
        unsafe { plain_run_sse2(b) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    plain_run_swar(b)
}

/// [`plain_run`] sixteen bytes at a time: one compare per stop byte, one mask.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn plain_run_sse2(b: &[u8]) -> usize {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_set_epi64x, _mm_setzero_si128,
    };
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    // A byte below 0x20 is one with none of its top three bits set.
    let top_three = _mm_set1_epi8(0xE0_u8 as i8);
    let mut at = 0;
    for chunk in b.chunks_exact(16) {
        let half = |i: usize| i64::from_le_bytes(chunk[i..i + 8].try_into().unwrap_or([0; 8]));
        let v = _mm_set_epi64x(half(8), half(0));
        let control = _mm_cmpeq_epi8(_mm_and_si128(v, top_three), _mm_setzero_si128());
        let stops = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
            control,
        );
        let mask = _mm_movemask_epi8(stops);
        if mask != 0 {
            return at + mask.trailing_zeros() as usize;
        }
        at += 16;
    }
    at + b[at..]
        .iter()
        .take_while(|&&c| c >= 0x20 && c != b'"' && c != b'\\')
        .count()
}

/// [`plain_run`] eight bytes at a time in a `u64`.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline]
fn plain_run_swar(b: &[u8]) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    let mut at = 0;
    for chunk in b.chunks_exact(8) {
        let c = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // Each byte's high bit set where it is below 0x20, a quote or a backslash (the usual
        // "has a zero byte" trick on `c` and on `c` xored with each), ignoring bytes >= 0x80.
        let control = c.wrapping_sub(ONES * 0x20) & !c;
        let quote = c ^ (ONES * u64::from(b'"'));
        let quote = quote.wrapping_sub(ONES) & !quote;
        let backslash = c ^ (ONES * u64::from(b'\\'));
        let backslash = backslash.wrapping_sub(ONES) & !backslash;
        let found = (control | quote | backslash) & HIGH;
        if found != 0 {
            return at + found.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    at + b[at..]
        .iter()
        .take_while(|&&c| c >= 0x20 && c != b'"' && c != b'\\')
        .count()
}

/// How many bytes from the start of `b` are JSON whitespace; the indentation of pretty-printed
/// JSON, eight spaces at a time.
#[inline]
pub(crate) fn blank_run(b: &[u8]) -> usize {
    const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
    let mut at = 0;
    loop {
        match b.get(at) {
            Some(b' ' | b'\n' | b'\t' | b'\r') => {}
            _ => return at,
        }
        match b.get(at..at + 8) {
            Some(chunk) if chunk == SPACES.to_le_bytes() => at += 8,
            _ => at += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_runs_stop_at_the_first_quote_backslash_or_control_character() {
        for text in [
            "",
            "a",
            "abc\"",
            "abcdefgh\"",
            "abcdefghijklmnop\\",
            "ab\ncd",
            "é漢字\"",
            "\u{7f}\u{80}\"",
            "0123456\u{1f}89",
        ] {
            let expected = text
                .bytes()
                .take_while(|&c| c >= 0x20 && c != b'"' && c != b'\\')
                .count();
            assert_eq!(plain_run(text.as_bytes()), expected, "{text:?}");
            assert_eq!(plain_run_swar(text.as_bytes()), expected, "{text:?}");
        }
        // Every position of a stop byte in a long run, among bytes on either side of each
        // stop's value.
        for stop in [b'"', b'\\', 0u8, 0x1f] {
            for fill in [
                b'x', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xdf, 0xe0, 0xff,
            ] {
                for len in [24, 40] {
                    for at in 0..len {
                        let mut b = vec![fill; len];
                        b[at] = stop;
                        assert_eq!(plain_run(&b), at);
                        assert_eq!(plain_run_swar(&b), at);
                    }
                    let b = vec![fill; len];
                    assert_eq!(plain_run(&b), len);
                    assert_eq!(plain_run_swar(&b), len);
                }
            }
        }
    }

    #[test]
    fn blank_runs_are_json_whitespace_only() {
        for text in [
            "",
            "x",
            " x",
            "\n        x",
            "\n                \t\r x",
            "        ",
            "         \u{a0}",
            "       \u{b}",
            "\n  \n    \n",
        ] {
            let expected = text
                .bytes()
                .take_while(|c| matches!(c, b' ' | b'\n' | b'\t' | b'\r'))
                .count();
            assert_eq!(blank_run(text.as_bytes()), expected, "{text:?}");
        }
    }
}
