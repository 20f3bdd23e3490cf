//! A text as SMPP carries it: IA5 for plain ASCII (160 characters, 153 per concatenated
//! part), UCS-2 for anything else (70, 67 per part), parts with a `05 00 03 ref total seq`
//! user data header, a surrogate pair never split.

/// IA5 (ASCII).
pub const DATA_CODING_IA5: u8 = 0x01;
/// UCS-2 (UTF-16 big endian).
pub const DATA_CODING_UCS2: u8 = 0x08;
/// `esm_class` bit: the short message starts with a user data header.
pub const ESM_UDHI: u8 = 0x40;

/// One `submit_sm`'s worth of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub data_coding: u8,
    pub esm_class: u8,
    /// The user data header, if any, then the encoded text.
    pub short_message: Vec<u8>,
}

/// Splits `text` into the parts SMPP carries, concatenated with reference `reference`.
pub fn split(text: &str, reference: u8) -> Vec<Part> {
    let ascii = text.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\r');
    // Units: bytes for IA5, UTF-16 code units for UCS-2 (a surrogate pair is never split).
    let (coding, single, per_part, units): (u8, usize, usize, Vec<Vec<u8>>) = if ascii {
        (DATA_CODING_IA5, 160, 153, text.bytes().map(|b| vec![b]).collect())
    } else {
        let chars = text.chars().map(|c| {
            let mut buf = [0u16; 2];
            c.encode_utf16(&mut buf).iter().flat_map(|u| u.to_be_bytes()).collect::<Vec<u8>>()
        });
        (DATA_CODING_UCS2, 70, 67, chars.collect())
    };
    let width = |u: &Vec<u8>| if coding == DATA_CODING_UCS2 { u.len() / 2 } else { 1 };
    let total_units: usize = units.iter().map(width).sum();
    if total_units <= single {
        return vec![Part { data_coding: coding, esm_class: 0, short_message: units.concat() }];
    }
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut current = Vec::new();
    let mut used = 0;
    for u in &units {
        if used + width(u) > per_part {
            chunks.push(std::mem::take(&mut current));
            used = 0;
        }
        current.extend_from_slice(u);
        used += width(u);
    }
    chunks.push(current);
    let total = u8::try_from(chunks.len()).unwrap_or(u8::MAX);
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut short_message = vec![0x05, 0x00, 0x03, reference, total, u8::try_from(i + 1).unwrap_or(u8::MAX)];
            short_message.extend_from_slice(&chunk);
            Part { data_coding: coding, esm_class: ESM_UDHI, short_message }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(parts: &[Part]) -> String {
        let mut units = Vec::new();
        for p in parts {
            let body = if p.esm_class & ESM_UDHI != 0 { &p.short_message[6..] } else { &p.short_message[..] };
            units.extend(body.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])));
        }
        String::from_utf16(&units).unwrap()
    }

    #[test]
    fn cyrillic_goes_as_ucs2_seventy_in_one_part_sixty_seven_per_concatenated_part() {
        let one = "Я".repeat(70);
        assert_eq!(split(&one, 1).len(), 1);
        assert_eq!(split(&one, 1)[0].short_message.len(), 140);
        for (chars, parts) in [(71, 2), (134, 2), (135, 3), (200, 3), (201, 3), (202, 4), (268, 4)] {
            let text: String = "абвгдежзий".chars().cycle().take(chars).collect();
            let p = split(&text, 9);
            assert_eq!(p.len(), parts, "{chars} characters");
            for (i, part) in p.iter().enumerate() {
                assert_eq!(part.data_coding, DATA_CODING_UCS2);
                assert_eq!(&part.short_message[..6], &[5, 0, 3, 9, parts as u8, i as u8 + 1]);
                assert!((part.short_message.len() - 6) / 2 <= 67);
            }
            assert_eq!(text_of(&p), text);
        }
    }

    #[test]
    fn ascii_goes_as_ia5_and_surrogate_pairs_are_never_split() {
        let p = split(&"a".repeat(200), 3);
        assert_eq!((p.len(), p[0].data_coding, p[0].short_message.len() - 6), (2, DATA_CODING_IA5, 153));
        assert_eq!(split(&"a".repeat(160), 3).len(), 1);
        // 66 + 2 + 5 code units: the pair would straddle parts 1 and 2, so it moves to part 2.
        let emoji = format!("{}😀{}", "中".repeat(66), "中".repeat(5));
        let p = split(&emoji, 4);
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].short_message.len() - 6) / 2, 66);
        assert_eq!(text_of(&p), emoji);
    }
}
