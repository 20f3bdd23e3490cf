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
        let pages = pdf_pages(bytes).ok_or(SniffError::Damaged(Format::Pdf, "it cannot be read as a PDF"))?;
        if pages == 0 {
            return Err(SniffError::Damaged(Format::Pdf, "it has no pages"));
        }
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

/// The most one stream of an uploaded PDF may decompress to while its pages are counted: a
/// few-kilobyte flate bomb must not cost gigabytes.
const MAX_PDF_STREAM_BYTES: usize = 32 << 20;

/// The pages of the document's page tree, read by a PDF parser (lopdf), so pages kept in
/// compressed object streams count like any other; `None` when it cannot be read. A panic in
/// the parser on hostile bytes is a refusal, not a crash.
fn pdf_pages(b: &[u8]) -> Option<u32> {
    std::panic::catch_unwind(|| {
        let options =
            lopdf::LoadOptions { max_decompressed_size: Some(MAX_PDF_STREAM_BYTES), ..lopdf::LoadOptions::default() };
        let doc = lopdf::Document::load_mem_with_options(b, options).ok()?;
        u32::try_from(doc.page_iter().count()).ok()
    })
    .ok()
    .flatten()
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
        // No cross-reference table: the parser rebuilds it, as readers do.
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R >> endobj\n4 0 obj <</Type/Page/Parent 2 0 R>> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        assert_eq!(sniff(pdf, &limits).unwrap(), Sniffed { format: Format::Pdf, width: 2, height: 0 });
        let no_pages = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        assert!(matches!(sniff(no_pages, &limits), Err(SniffError::Damaged(Format::Pdf, _))));
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
        let pdf = include_bytes!("../tests/fixtures/three-pages-object-streams.pdf");
        assert_eq!(sniff(pdf, &limits), Err(SniffError::TooManyPages { pages: 3, max: 1 }));
    }

    /// Files written by qpdf (`--object-streams=generate`): every page object sits in a
    /// compressed object stream, so no `/Type /Page` appears in the bytes.
    #[test]
    fn pages_in_compressed_object_streams_count() {
        let three = include_bytes!("../tests/fixtures/three-pages-object-streams.pdf");
        assert!(!three.windows(10).any(|w| w == b"/Type /Pag" || w == b"/Type/Page"), "the fixture hides its pages");
        assert_eq!(sniff(three, &Limits::default()).unwrap(), Sniffed { format: Format::Pdf, width: 3, height: 0 });
        let fifty_one = include_bytes!("../tests/fixtures/fifty-one-pages-object-streams.pdf");
        assert_eq!(sniff(fifty_one, &Limits::default()), Err(SniffError::TooManyPages { pages: 51, max: 50 }));
    }

    #[test]
    fn names_are_shown_never_followed() {
        assert_eq!(display_name("../../etc/passwd", Format::Pdf), "passwd");
        assert_eq!(display_name("C:\\Users\\anna\\скан паспорта.jpg", Format::Jpeg), "скан паспорта.jpg");
        assert_eq!(display_name("..", Format::Png), "document.png");
        assert_eq!(display_name("a\"b<script>\n.pdf", Format::Pdf), "abscript.pdf");
    }
}
