//! The footer as drawn on one page, and the page's new content around it, written as
//! content-stream operators.

use lopdf::Object;

use super::page::PageGeometry;
use super::text::{footer_lines, text_width, StampText};
use super::{
    BOTTOM_MARGIN, FONT_NAME, FONT_SIZE, GREY, GUARD_TAG, LEADING, MIN_LAYOUT_WIDTH, ORIGINAL_NAME,
    SIDE_MARGIN,
};

/// The footer as drawn on one page: its content, in default user space, and the rectangle it is
/// drawn in, for the stamp annotation's /Rect and its appearance's /BBox.
pub(super) struct Footer {
    pub(super) content: Vec<u8>,
    pub(super) band: [f64; 4],
}

pub(super) fn footer(geometry: &PageGeometry, text: &StampText) -> Footer {
    let (width, height) = geometry.displayed_size();
    let layout_width = width.max(MIN_LAYOUT_WIDTH);
    let lines = footer_lines(text, layout_width - 2.0 * SIDE_MARGIN);
    let first_baseline = BOTTOM_MARGIN + (lines.len().max(1) - 1) as f64 * LEADING;
    let needed_height = first_baseline + BOTTOM_MARGIN + FONT_SIZE;
    let scale = (width / layout_width).min(height / needed_height).min(1.0);
    let [a, b, c, d, e, f] = geometry.displayed_to_user();
    let layout_width = width / scale;
    let matrix = [a * scale, b * scale, c * scale, d * scale, e, f];

    let mut content = b"q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n".to_vec();
    content.extend_from_slice(
        format!(
            "{} cm\n{GREY} g\nBT\n/{FONT_NAME} {} Tf\n0 Tc 0 Tw 100 Tz 0 Tr 0 Ts\n",
            matrix.map(number).join(" "),
            number(FONT_SIZE)
        )
        .as_bytes(),
    );
    for (index, line) in lines.iter().enumerate() {
        let x = (layout_width - text_width(line)) / 2.0;
        let y = BOTTOM_MARGIN + (lines.len() - 1 - index) as f64 * LEADING;
        content.extend_from_slice(format!("1 0 0 1 {} {} Tm (", number(x), number(y)).as_bytes());
        push_literal_string(&mut content, line);
        content.extend_from_slice(b") Tj\n");
    }
    content.extend_from_slice(b"ET\nEMC\nQ\n");

    // The page's width, from the bottom edge to above the accents of the first line.
    let top = first_baseline + FONT_SIZE + 2.0;
    let corners = [(0.0, 0.0), (layout_width, 0.0), (0.0, top), (layout_width, top)]
        .map(|(x, y)| (matrix[0] * x + matrix[2] * y + matrix[4], matrix[1] * x + matrix[3] * y + matrix[5]));
    let mut band = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for (x, y) in corners {
        band = [band[0].min(x), band[1].min(y), band[2].max(x), band[3].max(y)];
    }
    Footer { content, band }
}

/// A page's new content: the forms holding its original content, each drawn between `q` and
/// `Q`, inside `guards` marked-content sections, then the footer.
pub(super) fn page_content(forms: usize, guards: i64, footer: &[u8]) -> Vec<u8> {
    let mut content = Vec::new();
    for _ in 0..guards {
        content.extend_from_slice(format!("/{GUARD_TAG} BMC\n").as_bytes());
    }
    for index in 0..forms {
        content.extend_from_slice(format!("q /{} Do Q\n", form_name(index)).as_bytes());
    }
    for _ in 0..guards {
        content.extend_from_slice(b"EMC\n");
    }
    content.extend_from_slice(footer);
    content
}

/// The resource name of the `index`th form of a page's original content.
pub(super) fn form_name(index: usize) -> String {
    if index == 0 {
        ORIGINAL_NAME.to_string()
    } else {
        format!("{ORIGINAL_NAME}{}", index + 1)
    }
}

/// A rectangle as a PDF array.
pub(super) fn rectangle_object(bounds: [f64; 4]) -> Object {
    Object::Array(bounds.iter().map(|&value| Object::Real(value as f32)).collect())
}

/// A number as content streams write it: at most three decimals, no exponent.
pub(super) fn number(value: f64) -> String {
    let value = if value.is_finite() { value } else { 0.0 };
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" || text.is_empty() {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// The inside of a literal string: `(`, `)` and `\` escaped, and every byte that is not
/// printable ASCII as an octal escape, so the content stream stays plain text.
pub(super) fn push_literal_string(content: &mut Vec<u8>, text: &[u8]) {
    for &byte in text {
        match byte {
            b'(' | b')' | b'\\' => content.extend_from_slice(&[b'\\', byte]),
            b' '..=b'~' => content.push(byte),
            _ => content.extend_from_slice(format!("\\{byte:03o}").as_bytes()),
        }
    }
}
