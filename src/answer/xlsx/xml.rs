//! Small readers of quick-xml events and elements, which every part reader uses.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};

/// What a text event or an entity or character reference (`&amp;`, `&#39;`, which quick-xml
/// reports as an event of its own) stands for, unescaped; `None` for any other event, or when
/// it cannot be unescaped (an unknown entity, a bad character reference).
pub(super) fn unescaped_text(event: &Event) -> Option<String> {
    let raw = match event {
        Event::Text(text) => Cow::Borrowed(&**text),
        Event::GeneralRef(reference) => Cow::Owned(format!("&{};", &**reference)),
        _ => return None,
    };
    quick_xml::escape::unescape(&raw).ok().map(Cow::into_owned)
}

pub(super) fn attribute(element: &BytesStart, name: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref().as_bytes() == name)
        .and_then(|a| quick_xml::escape::unescape(&a.value).ok().map(|v| v.into_owned()))
}
