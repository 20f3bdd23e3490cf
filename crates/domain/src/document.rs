//! Uploaded documents: what kind they are, and what their bytes are. A file is a JPEG, PNG or
//! PDF because its bytes say so, whatever its name or declared type; images have bounded
//! dimensions and PDFs a bounded page count, so a decompression bomb or a thousand-page
//! file is refused before anyone opens it.

use std::fmt;

pub use crate::policy::DocumentKind;

/// The formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Pdf,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Pdf => "pdf",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.content_type())
    }
}

/// Bounds on what is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Widest and tallest image side, in pixels.
    pub max_side: u32,
    /// Most pixels of an image.
    pub max_pixels: u64,
    pub max_pdf_pages: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_side: 12_000, max_pixels: 60_000_000, max_pdf_pages: 50 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SniffError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not a JPEG, PNG or PDF (judged by its contents)")]
    Unsupported,
    #[error("the {0} is damaged: {1}")]
    Damaged(Format, &'static str),
    #[error("the image is {width}×{height} pixels; at most {max_side} per side and {max_pixels} pixels in all")]
    TooLarge { width: u32, height: u32, max_side: u32, max_pixels: u64 },
    #[error("the PDF has {pages} pages; at most {max} are accepted")]
    TooManyPages { pages: u32, max: u32 },
}

/// What the bytes are, checked against `limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub format: Format,
    /// Image dimensions, or the PDF's page count as `(pages, 0)`.
    pub width: u32,
    pub height: u32,
}

pub fn sniff(bytes: &[u8], limits: &Limits) -> Result<Sniffed, SniffError> {
    if bytes.is_empty() {
        return Err(SniffError::Empty);
    }
    let (format, width, height) = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let (w, h) = jpeg_size(bytes).ok_or(SniffError::Damaged(Format::Jpeg, "no frame header"))?;
        (Format::Jpeg, w, h)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        if bytes.len() < 24 || &bytes[12..16] != b"IHDR" {
            return Err(SniffError::Damaged(Format::Png, "no IHDR chunk"));
        }
        let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        (Format::Png, be(16), be(20))
    } else if bytes.starts_with(b"%PDF-") {
        if !bytes[bytes.len().saturating_sub(1024)..].windows(5).any(|w| w == b"%%EOF") {
            return Err(SniffError::Damaged(Format::Pdf, "no end-of-file marker"));
        }
        let pages = pdf_pages(bytes);
        if pages > limits.max_pdf_pages {
            return Err(SniffError::TooManyPages { pages, max: limits.max_pdf_pages });
        }
        return Ok(Sniffed { format: Format::Pdf, width: pages, height: 0 });
    } else {
        return Err(SniffError::Unsupported);
    };
    if width == 0 || height == 0 {
        return Err(SniffError::Damaged(format, "zero dimensions"));
    }
    let too_big =
        width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels;
    if too_big {
        return Err(SniffError::TooLarge { width, height, max_side: limits.max_side, max_pixels: limits.max_pixels });
    }
    Ok(Sniffed { format, width, height })
}

/// Width and height from the first start-of-frame marker.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if matches!(marker, 0xD8 | 0x01 | 0xD0..=0xD7) {
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let s = b.get(i + 5..i + 9)?;
            let h = u32::from(u16::from_be_bytes([s[0], s[1]]));
            let w = u32::from(u16::from_be_bytes([s[2], s[3]]));
            return Some((w, h));
        }
        if len < 2 {
            return None;
        }
        i += 2 + len;
    }
    None
}

/// Page objects (`/Type /Page`, not `/Pages`); a PDF with none counts as one page.
fn pdf_pages(b: &[u8]) -> u32 {
    let mut count = 0u32;
    let mut i = 0;
    while let Some(at) = find(&b[i..], b"/Type") {
        let mut j = i + at + 5;
        while j < b.len() && matches!(b[j], b' ' | b'\r' | b'\n' | b'\t') {
            j += 1;
        }
        if b[j..].starts_with(b"/Page") && !b[j..].starts_with(b"/Pages") {
            count = count.saturating_add(1);
        }
        i = j;
    }
    count.max(1)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A file name safe to show and to offer on download: the last path segment, without
/// control characters or quotes, at most 100 characters. It is never used as a path.
pub fn display_name(name: &str, format: Format) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String =
        last.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | '<' | '>')).take(100).collect();
    let clean = clean.trim().trim_start_matches('.').to_owned();
    if clean.is_empty() { format!("document.{}", format.extension()) } else { clean }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal JPEG header: SOI, an APP0 segment, SOF0 with the given size.
    pub fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&[0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
        b
    }

    #[test]
    fn bytes_decide_not_names() {
        let limits = Limits::default();
        assert_eq!(sniff(&jpeg(800, 600), &limits).unwrap(), Sniffed { format: Format::Jpeg, width: 800, height: 600 });
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF";
        assert_eq!(sniff(exe, &limits), Err(SniffError::Unsupported));
        assert_eq!(sniff(b"", &limits), Err(SniffError::Empty));
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Count 2 >> endobj\n3 0 obj << /Type /Page >> endobj\n4 0 obj <</Type/Page>> endobj\n%%EOF\n";
        assert_eq!(sniff(pdf, &limits).unwrap(), Sniffed { format: Format::Pdf, width: 2, height: 0 });
        assert!(matches!(sniff(b"%PDF-1.4 truncated", &limits), Err(SniffError::Damaged(Format::Pdf, _))));
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&64u32.to_be_bytes());
        png.extend_from_slice(&32u32.to_be_bytes());
        assert_eq!(sniff(&png, &limits).unwrap(), Sniffed { format: Format::Png, width: 64, height: 32 });
    }

    #[test]
    fn huge_images_and_long_pdfs_are_refused() {
        let limits = Limits { max_side: 1000, max_pixels: 500_000, max_pdf_pages: 1 };
        assert!(matches!(sniff(&jpeg(1001, 10), &limits), Err(SniffError::TooLarge { .. })));
        assert!(matches!(sniff(&jpeg(900, 900), &limits), Err(SniffError::TooLarge { .. })));
        let pdf = b"%PDF-1.4\n<</Type /Page>> <</Type /Page>>\n%%EOF";
        assert_eq!(sniff(pdf, &limits), Err(SniffError::TooManyPages { pages: 2, max: 1 }));
    }

    #[test]
    fn names_are_shown_never_followed() {
        assert_eq!(display_name("../../etc/passwd", Format::Pdf), "passwd");
        assert_eq!(display_name("C:\\Users\\anna\\скан паспорта.jpg", Format::Jpeg), "скан паспорта.jpg");
        assert_eq!(display_name("..", Format::Png), "document.png");
        assert_eq!(display_name("a\"b<script>\n.pdf", Format::Pdf), "abscript.pdf");
    }
}
