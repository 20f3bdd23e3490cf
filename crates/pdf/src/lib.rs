//! PDFs simexit renders itself: the certificate of termination and the in-store application
//! form. Text is set in DejaVu Sans (Latin, Cyrillic) with Droid Sans Fallback for Chinese,
//! both shipped in `data/fonts/`; each PDF embeds only the glyphs it uses (a CID font per
//! face, with a ToUnicode map so the text can be extracted and searched). A QR code is drawn
//! as filled squares.
//!
//! Why these crates: `pdf-writer` writes PDF objects and nothing else, `subsetter` cuts a
//! font down to the used glyphs, `ttf-parser` reads metrics, `qrcode` without its image
//! features computes the modules. Together they compile in about a minute on two cores,
//! where a layout engine or an HTML-to-PDF stack would cost several.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;

static DEJAVU: &[u8] = include_bytes!("../../../data/fonts/DejaVuSans.ttf");
static DROID: &[u8] = include_bytes!("../../../data/fonts/DroidSansFallback.ttf");

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("font: {0}")]
    Font(String),
    #[error("QR code: {0}")]
    Qr(String),
}

/// One face in use: its glyphs remapped into a subset, their widths and characters.
struct Face {
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    name: &'static str,
    resource: &'static [u8],
    remapper: GlyphRemapper,
    chars: BTreeMap<u16, char>,
}

impl Face {
    fn new(data: &'static [u8], name: &'static str, resource: &'static [u8]) -> Result<Self, PdfError> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|e| PdfError::Font(format!("{name}: {e}")))?;
        Ok(Face { data, face, name, resource, remapper: GlyphRemapper::new(), chars: BTreeMap::new() })
    }

    fn has(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    /// The subset glyph id of `c` (0, `.notdef`, when the face lacks it).
    fn glyph(&mut self, c: char) -> u16 {
        let old = self.face.glyph_index(c).map_or(0, |g| g.0);
        let new = self.remapper.remap(old);
        self.chars.entry(new).or_insert(c);
        new
    }

    fn scale(&self, v: f32) -> f32 {
        v * 1000.0 / f32::from(self.face.units_per_em())
    }

    /// Width of `text` at `size` points, as this face sets it.
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| {
                let g = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                self.scale(f32::from(self.face.glyph_hor_advance(g).unwrap_or(0)))
            })
            .sum::<f32>()
            * size
            / 1000.0
    }
}

/// A page of text lines and an optional QR code, in A4 points.
pub struct Page {
    pub lines: Vec<Line>,
    /// (URL, x, y, side) of a QR code.
    pub qr: Option<(String, f32, f32, f32)>,
}

pub struct Line {
    pub text: String,
    pub x: f32,
    pub y: f32,
    pub size: f32,
}

impl Line {
    pub fn at(x: f32, y: f32, size: f32, text: impl Into<String>) -> Line {
        Line { text: text.into(), x, y, size }
    }
}

/// Splits text into lines of at most `width` points at `size`, at spaces (or anywhere for
/// text without spaces, such as Chinese).
pub fn wrap(text: &str, size: f32, width: f32) -> Result<Vec<String>, PdfError> {
    let faces = [Face::new(DEJAVU, "DejaVuSans", b"F1")?, Face::new(DROID, "DroidSansFallback", b"F2")?];
    let measure = |s: &str| -> f32 {
        s.chars()
            .map(|c| {
                let f = if faces[0].has(c) { &faces[0] } else { &faces[1] };
                f.width(&c.to_string(), size)
            })
            .sum()
    };
    let mut lines = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if measure(&current) > width {
            let cut = current.rfind(' ').filter(|&i| i > 0);
            let rest = match cut {
                Some(i) => {
                    let rest = current[i + 1..].to_owned();
                    current.truncate(i);
                    rest
                }
                None => current.pop().map(String::from).unwrap_or_default(),
            };
            lines.push(std::mem::take(&mut current));
            current = rest;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    Ok(lines)
}

/// Renders one A4 page; `data` is written as an uncompressed stream object of its own
/// (simexit's signed certificate block), which readers ignore and `simexit verify` reads.
pub fn render(title: &str, page: &Page, data: Option<&str>) -> Result<Vec<u8>, PdfError> {
    let mut faces = [Face::new(DEJAVU, "DejaVuSans", b"F1")?, Face::new(DROID, "DroidSansFallback", b"F2")?];
    let mut content = Content::new();
    for line in &page.lines {
        content.begin_text();
        content.next_line(line.x, line.y);
        // Runs of characters set in the same face.
        let mut runs: Vec<(usize, Vec<u8>)> = Vec::new();
        for c in line.text.chars() {
            let which = if faces[0].has(c) || !faces[1].has(c) { 0 } else { 1 };
            let gid = faces[which].glyph(c);
            match runs.last_mut() {
                Some((f, bytes)) if *f == which => bytes.extend_from_slice(&gid.to_be_bytes()),
                _ => runs.push((which, gid.to_be_bytes().to_vec())),
            }
        }
        for (which, bytes) in &runs {
            content.set_font(Name(faces[*which].resource), line.size);
            content.show(Str(bytes));
        }
        content.end_text();
    }
    if let Some((url, x, y, side)) = &page.qr {
        let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| PdfError::Qr(e.to_string()))?;
        let n = code.width();
        let colors = code.to_colors();
        // A quiet zone of four modules on each side, as readers expect.
        let module = side / (n as f32 + 8.0);
        content.set_fill_gray(0.0);
        for (i, color) in colors.iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (row, col) = ((i / n) as f32, (i % n) as f32);
                content.rect(x + (col + 4.0) * module, y + side - (row + 5.0) * module, module, module);
            }
        }
        content.fill_nonzero();
    }

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut id = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let (catalog, pages, page_id, content_id, info) = (id(), id(), id(), id(), id());
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page_id]).count(1);
    pdf.document_info(info).title(pdf_writer::TextStr(title)).creator(pdf_writer::TextStr("simexit"));
    let font_ids: Vec<(Ref, Ref, Ref, Ref, Ref)> = faces.iter().map(|_| (id(), id(), id(), id(), id())).collect();
    {
        let mut p = pdf.page(page_id);
        p.media_box(Rect::new(0.0, 0.0, 595.0, 842.0)).parent(pages).contents(content_id);
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        for (face, (type0, ..)) in faces.iter().zip(&font_ids) {
            fonts.pair(Name(face.resource), *type0);
        }
    }
    let content_bytes = content.finish();
    pdf.stream(content_id, &content_bytes);

    let info_cid = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    for (face, (type0, cid, descriptor, file, cmap_id)) in faces.iter_mut().zip(&font_ids) {
        // `.notdef` is always glyph 0 of a subset.
        face.remapper.remap(0);
        let subset = subsetter::subset(face.data, 0, &face.remapper)
            .map_err(|e| PdfError::Font(format!("{}: {e:?}", face.name)))?;
        let base = format!("SIMEXT+{}", face.name);
        pdf.type0_font(*type0)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(*cid)
            .to_unicode(*cmap_id);
        let widths: Vec<f32> = face
            .remapper
            .remapped_gids()
            .map(|old| face.scale(f32::from(face.face.glyph_hor_advance(ttf_parser::GlyphId(old)).unwrap_or(0))))
            .collect();
        let mut c = pdf.cid_font(*cid);
        c.subtype(CidFontType::Type2)
            .base_font(Name(base.as_bytes()))
            .system_info(info_cid)
            .font_descriptor(*descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        c.widths().consecutive(0, widths);
        c.finish();
        let bbox = face.face.global_bounding_box();
        let s = |v: i16| face.scale(f32::from(v));
        pdf.font_descriptor(*descriptor)
            .name(Name(base.as_bytes()))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(s(bbox.x_min), s(bbox.y_min), s(bbox.x_max), s(bbox.y_max)))
            .italic_angle(0.0)
            .ascent(s(face.face.ascender()))
            .descent(s(face.face.descender()))
            .cap_height(s(face.face.capital_height().unwrap_or(face.face.ascender())))
            .stem_v(80.0)
            .font_file2(*file);
        pdf.stream(*file, &subset);
        let mut cmap = UnicodeCmap::new(Name(b"Simexit-UCS"), info_cid);
        for (gid, c) in &face.chars {
            cmap.pair(*gid, *c);
        }
        let cmap_bytes = cmap.finish();
        pdf.cmap(*cmap_id, &cmap_bytes);
    }
    if let Some(data) = data {
        let block = id();
        pdf.stream(block, data.as_bytes()).pair(Name(b"Type"), Name(b"SimexitCertificate"));
    }
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn a_page_in_three_scripts_renders_and_embeds_only_what_it_uses() {
        let page = Page {
            lines: vec![
                Line::at(50.0, 780.0, 16.0, "Справка о расторжении договора"),
                Line::at(50.0, 750.0, 12.0, "Certificate of termination 解约证明"),
            ],
            qr: Some(("https://simexit.example/certificates/MTS-2026-000001".into(), 420.0, 60.0, 120.0)),
        };
        let pdf = render("test", &page, Some("SIMEXIT-CERTIFICATE\n{}\n")).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 200_000, "subset fonts keep the file small: {} bytes", pdf.len());
        assert!(pdf.windows(19).any(|w| w == b"SIMEXIT-CERTIFICATE"));
    }

    #[test]
    fn long_text_wraps_at_spaces_and_chinese_anywhere() {
        let lines = wrap("Номер освободится через тридцать дней после расторжения договора", 12.0, 200.0).unwrap();
        assert!(lines.len() > 1 && lines.iter().all(|l| !l.starts_with(' ')), "{lines:?}");
        let zh = wrap(&"解约证明".repeat(20), 12.0, 100.0).unwrap();
        assert!(zh.len() > 1, "{zh:?}");
        assert_eq!(zh.concat(), "解约证明".repeat(20));
    }
}
