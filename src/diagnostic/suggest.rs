//! "Did you mean …?": the closest known name to a misspelt one.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(&word_lower, &candidate.to_lowercase()), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.chars().count() / 3).max(1) + 1)
        .min_by_key(|(distance, candidate)| (*distance, *candidate))
        .map(|(_, candidate)| candidate)
}

/// Rewrites serde's "unknown field `x`, expected one of a, b" and "unknown variant" messages
/// into a message and a hint with the likely intended name.
pub fn explain_serde_message(message: &str) -> (String, Option<String>) {
    for (prefix, what) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        let Some(rest) = message.strip_prefix(prefix) else { continue };
        let Some((word, tail)) = rest.split_once('`') else { continue };
        let expected = tail
            .trim_start_matches(',')
            .trim()
            .trim_start_matches("expected one of")
            .trim_start_matches("expected")
            .trim();
        let candidates: Vec<&str> =
            expected.split(',').map(|c| c.trim().trim_matches('`')).filter(|c| !c.is_empty()).collect();
        let message = format!("unknown {what} `{word}`");
        let hint = match closest(word, candidates.iter().copied()) {
            Some(best) => Some(format!("did you mean `{best}`? expected one of: {}", candidates.join(", "))),
            None if !candidates.is_empty() => Some(format!("expected one of: {}", candidates.join(", "))),
            None => None,
        };
        return (message, hint);
    }
    // The YAML reader's words for a number of the wrong kind (`stale_after: -1` is "invalid
    // u32"), in a person's.
    let numbers = [
        ("invalid u8", "0 to 255"),
        ("invalid u16", "0 to 65,535"),
        ("invalid u32", "0 or more"),
        ("invalid u64", "0 or more"),
        ("invalid usize", "0 or more"),
        ("invalid i32", "positive or negative"),
        ("invalid i64", "positive or negative"),
    ];
    if let Some((_, range)) = numbers.iter().find(|(raw, _)| message.trim() == *raw) {
        return (
            format!("expected a whole number ({range})"),
            Some("write the number without quotes, decimals or units".to_string()),
        );
    }
    (message.to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_of_the_wrong_kind_is_said_in_words() {
        let (message, hint) = explain_serde_message("invalid u32");
        assert_eq!(message, "expected a whole number (0 or more)");
        assert!(hint.is_some());
        assert_eq!(explain_serde_message("something else").0, "something else");
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("owner_name", ["owner", "title", "approved_by"]), None);
        assert_eq!(closest("ownr", ["owner", "title"]), Some("owner"));
        assert_eq!(closest("review_evry", ["review_every", "next_review"]), Some("review_every"));
        assert_eq!(closest("A.5.51", ["A.5.15", "A.5.5", "A.8.1"]), Some("A.5.15"));
        assert_eq!(closest("zzz", ["owner"]), None);
    }

    #[test]
    fn explains_unknown_keys_and_values() {
        let (message, hint) =
            explain_serde_message("unknown field `titel`, expected one of id, title, version");
        assert_eq!(message, "unknown key `titel`");
        assert_eq!(hint.unwrap(), "did you mean `title`? expected one of: id, title, version");
        let (message, hint) =
            explain_serde_message("unknown variant `publc`, expected one of public, internal, auditor");
        assert_eq!(message, "unknown value `publc`");
        assert!(hint.unwrap().starts_with("did you mean `public`?"));
    }
}
