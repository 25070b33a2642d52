//! Scans over JSON text that the view reader, a reply's status check and the typed decode's tag
//! search share: how far a string's plain run goes, how far whitespace does, and where a nested
//! value ends.

/// How many bytes from the start of `b` need no unescaping: up to a quote, a backslash or a
/// control character. Most of what a view reads is strings, and most of a string's cost is this
/// search: sixteen bytes at a time in vector registers on x86_64, eight in a `u64` elsewhere.
#[inline]
pub(crate) fn plain_run(b: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    return run_until(b, |m| m.quote | m.backslash | m.control, ends_plain_run);
    #[cfg(not(target_arch = "x86_64"))]
    plain_run_swar(b)
}

/// Whether a string's plain run ends at byte `c`: a quote, a backslash or a control character.
#[inline]
pub(crate) const fn ends_plain_run(c: u8) -> bool {
    c < 0x20 || c == b'"' || c == b'\\'
}

/// Whether byte `c` is JSON whitespace.
#[inline]
const fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\t' | b'\r')
}

/// How many bytes from the start of `b` come before the first that `stops` marks, sixteen bytes
/// at a time in vector registers; the last few, short of a chunk, a byte at a time by `stop`.
#[cfg(target_arch = "x86_64")]
#[inline]
fn run_until(b: &[u8], stops: impl Fn(Marks) -> u32, stop: impl Fn(u8) -> bool) -> usize {
    let mut at = 0;
    for chunk in b.chunks_exact(16) {
        let found = stops(marks(chunk.try_into().expect("sixteen bytes")));
        if found != 0 {
            return at + found.trailing_zeros() as usize;
        }
        at += 16;
    }
    at + b[at..].iter().take_while(|&&c| !stop(c)).count()
}

/// Where the object or array that `b` starts with ends: the index just past its closing bracket,
/// found by its brackets, its strings skipped by their quotes and escapes. `None` when the text
/// ends first, has a backslash outside a string, or closes more than it opened. Nothing else is
/// checked: brackets need not match in kind, and the text between them need not be JSON. The
/// reply status check and an enum view's tag search pass nested values so; what they pass, a full
/// read checks later.
///
/// Sixty-four bytes at a time, marked sixteen at a time in vector registers as the view reader's
/// string search is: which bytes are inside strings comes from the quotes by a prefix XOR (each
/// quote opens or closes one), and the brackets outside strings are counted, not walked, unless
/// the block may close the value. A block with a backslash is read a byte at a time: replies
/// seldom have one.
pub(crate) fn nested_end(b: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    // All ones when the block before ended inside a string.
    let mut in_string = 0u64;
    // Whether the block before ended with a backslash in a string: the next byte stands for
    // itself.
    let mut escaped = false;
    let mut padded = [b' '; 64];
    let mut at = 0;
    while at < b.len() {
        let len = (b.len() - at).min(64);
        let block: &[u8; 64] = match b[at..].first_chunk() {
            Some(block) => block,
            None => {
                padded[..len].copy_from_slice(&b[at..]);
                &padded
            }
        };
        let (mut quote, mut backslash, mut open, mut close) = (0u64, 0u64, 0u64, 0u64);
        for (i, chunk) in block.chunks_exact(16).enumerate() {
            let m = marks(chunk.try_into().expect("sixteen bytes"));
            let shift = 16 * i;
            quote |= u64::from(m.quote) << shift;
            backslash |= u64::from(m.backslash) << shift;
            open |= u64::from(m.open) << shift;
            close |= u64::from(m.close) << shift;
        }
        let first_escaped = std::mem::take(&mut escaped);
        if first_escaped {
            quote &= !1;
            backslash &= !1;
        }
        if backslash != 0 {
            let mut string = in_string != 0;
            let mut i = usize::from(first_escaped);
            while i < len {
                match (string, block[i]) {
                    (true, b'"') => string = false,
                    (true, b'\\') => {
                        escaped = i + 1 == len;
                        i += 1;
                    }
                    (false, b'"') => string = true,
                    (false, b'{' | b'[') => depth += 1,
                    (false, b'}' | b']') => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(at + i + 1);
                        }
                    }
                    (false, b'\\') => return None,
                    _ => {}
                }
                i += 1;
            }
            in_string = if string { u64::MAX } else { 0 };
            at += 64;
            continue;
        }
        // Bit i: whether an odd number of quotes stand at or before byte i of the block, so the
        // byte is inside a string or its opening quote (a closing quote is outside).
        let mut inside = quote;
        for shift in [1, 2, 4, 8, 16, 32] {
            inside ^= inside << shift;
        }
        inside ^= in_string;
        in_string = 0u64.wrapping_sub(inside >> 63);
        let (open, close) = (open & !inside, close & !inside);
        let closes = close.count_ones() as usize;
        if closes < depth {
            depth = depth + open.count_ones() as usize - closes;
        } else {
            let mut bits = open | close;
            while bits != 0 {
                let i = bits.trailing_zeros();
                bits &= bits - 1;
                if open >> i & 1 != 0 {
                    depth += 1;
                } else {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(at + i as usize + 1);
                    }
                }
            }
        }
        at += 64;
    }
    None
}

/// One bit per byte of a sixteen-byte chunk (bit `i` for byte `i`) for each kind of byte the
/// scans stop at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Marks {
    quote: u32,
    backslash: u32,
    /// Below 0x20.
    control: u32,
    /// `{` or `[`.
    open: u32,
    /// `}` or `]`.
    close: u32,
    /// JSON whitespace: space, tab, line feed, carriage return.
    blank: u32,
}

/// The [`Marks`] of a chunk of sixteen bytes: in vector registers on x86_64, a byte at a time
/// elsewhere.
#[inline]
fn marks(chunk: &[u8; 16]) -> Marks {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: the function's one requirement is the SSE2 target feature, which is part of
        // the x86_64 baseline: every x86_64 processor has it. It reads memory only through safe
        // slices.
        unsafe { marks_sse2(chunk) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    marks_bytewise(chunk)
}

/// [`marks`] with SSE2: one compare per kind of byte, one mask each.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn marks_sse2(chunk: &[u8; 16]) -> Marks {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_set_epi64x, _mm_setzero_si128,
    };
    let n = u128::from_le_bytes(*chunk);
    let v = _mm_set_epi64x((n >> 64) as i64, n as i64);
    let mask = |m| _mm_movemask_epi8(m) as u32;
    // A byte below 0x20 is one with none of its top three bits set; `[` and `]` are `{` and `}`
    // but for the bit 0x20.
    let top_three = _mm_set1_epi8(0xE0_u8 as i8);
    let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
    Marks {
        quote: mask(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8))),
        backslash: mask(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8))),
        control: mask(_mm_cmpeq_epi8(
            _mm_and_si128(v, top_three),
            _mm_setzero_si128(),
        )),
        open: mask(_mm_cmpeq_epi8(folded, _mm_set1_epi8(b'{' as i8))),
        close: mask(_mm_cmpeq_epi8(folded, _mm_set1_epi8(b'}' as i8))),
        blank: mask(_mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
            ),
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)),
            ),
        )),
    }
}

/// [`marks`] a byte at a time: the answer the vector version must give.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn marks_bytewise(chunk: &[u8; 16]) -> Marks {
    let mut m = Marks {
        quote: 0,
        backslash: 0,
        control: 0,
        open: 0,
        close: 0,
        blank: 0,
    };
    for (i, &c) in chunk.iter().enumerate() {
        let bit = 1 << i;
        if is_blank(c) {
            m.blank |= bit;
        }
        match c {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b'{' | b'[' => m.open |= bit,
            b'}' | b']' => m.close |= bit,
            0..0x20 => m.control |= bit,
            _ => {}
        }
    }
    m
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
    at + b[at..].iter().take_while(|&&c| !ends_plain_run(c)).count()
}

/// How many bytes from the start of `b` are JSON whitespace: sixteen bytes at a time in vector
/// registers on x86_64, as [`plain_run`] goes (the indentation of pretty-printed JSON comes
/// before nearly every token), eight spaces at a time elsewhere.
#[inline]
pub(crate) fn blank_run(b: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    return run_until(b, |m| !m.blank & 0xffff, |c| !is_blank(c));
    #[cfg(not(target_arch = "x86_64"))]
    blank_run_swar(b)
}

/// Where the whitespace that starts at `at` ends (`at` itself past the end of `b`).
#[inline]
pub(crate) fn blanks_end(b: &[u8], at: usize) -> usize {
    // Compact JSON has no whitespace between tokens: one look, nothing scanned.
    if b.get(at).is_some_and(|&c| c > b' ') {
        return at;
    }
    at + b.get(at..).map_or(0, blank_run)
}

/// [`blank_run`] without vector registers: eight spaces at a time in a `u64`, the rest a byte at
/// a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn blank_run_swar(b: &[u8]) -> usize {
    const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
    let mut at = 0;
    loop {
        if !b.get(at).is_some_and(|&c| is_blank(c)) {
            return at;
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
    fn each_byte_is_marked_as_what_it_is_at_every_position() {
        for byte in 0..=255u8 {
            for at in 0..16 {
                let mut chunk = [b'x'; 16];
                chunk[at] = byte;
                assert_eq!(marks(&chunk), marks_bytewise(&chunk), "{byte:#x} at {at}");
            }
        }
    }

    mod nested {
        use super::super::nested_end;

        /// [`nested_end`] a byte at a time, as the status scan first had it.
        fn nested_end_bytewise(b: &[u8]) -> Option<usize> {
            let (mut at, mut depth, mut in_string) = (0, 0usize, false);
            while let Some(&c) = b.get(at) {
                match (in_string, c) {
                    (true, b'"') => in_string = false,
                    (true, b'\\') => at += 1,
                    (true, _) => {}
                    (false, b'"') => in_string = true,
                    (false, b'{' | b'[') => depth += 1,
                    (false, b'}' | b']') => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(at + 1);
                        }
                    }
                    (false, b'\\') => return None,
                    (false, _) => {}
                }
                at += 1;
            }
            None
        }

        #[test]
        fn strings_and_escapes_across_blocks() {
            let long = format!(r#"["{}",1]"#, "[{}]".repeat(30));
            let mut cases = vec![long];
            // An escaped quote whose backslash is the last byte of a block, the first, or
            // near either.
            for at in [60, 61, 62, 63, 64, 65] {
                let open = format!("[{}\"", " ".repeat(at - 2));
                // The block after with another backslash, and without.
                cases.push(format!(r#"{open}\"]}}\\"], 1]"#));
                cases.push(format!(r#"{open}\"]}}"], 1]"#));
            }
            for text in cases {
                let b = text.as_bytes();
                assert_eq!(nested_end(b), nested_end_bytewise(b), "{text}");
                assert!(nested_end(b).is_some(), "{text}");
            }
        }

        proptest::proptest! {
            #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

            /// Texts of brackets, quotes and filler with a few backslashes anywhere, opened
            /// deeper or not at first, so that they end in the first of the sixty-four-byte
            /// blocks or many blocks later: the block scan ends where the byte-at-a-time one does.
            #[test]
            fn nested_values_end_where_the_bytewise_scan_ends(
                text in proptest::collection::vec(
                    proptest::sample::select(&b"{}[]\"\"aaaaaax:,\n"[..]),
                    0..400,
                ),
                backslashes in proptest::collection::vec(0..400usize, 0..4),
                deeper in 0..12usize,
            ) {
                let mut b = vec![b'['; 1 + deeper];
                b.extend(text);
                for at in backslashes {
                    b.insert(at.min(b.len()), b'\\');
                }
                proptest::prop_assert_eq!(nested_end(&b), nested_end_bytewise(&b));
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
        ]
        .into_iter()
        .map(str::to_owned)
        // Runs of every length across two chunks, of each kind of blank, ended by what is not.
        .chain((0..40).flat_map(|n| {
            ["\n", " ", "\t", "\r"].into_iter().flat_map(move |blank| {
                ["x", "\u{b}", "\u{c}", "\0", "\u{a0}", "\"", ""].map(|end| {
                    let run: String = (0..n)
                        .map(|i| if i % 7 == 3 { blank } else { " " })
                        .collect();
                    format!("{run}{end} ")
                })
            })
        })) {
            let expected = text
                .bytes()
                .take_while(|c| matches!(c, b' ' | b'\n' | b'\t' | b'\r'))
                .count();
            assert_eq!(blank_run(text.as_bytes()), expected, "{text:?}");
            assert_eq!(blank_run_swar(text.as_bytes()), expected, "{text:?}");
        }
    }
}
