//! Canned answers in the reply box, as plain data: what `/code` typed at the start of
//! a draft asks for, the answers that match it, and moving through them with the
//! arrow keys; and the settings' form for an answer. No browser, no signals (native
//! unit tests).

use canal_protocol::canned::{valid_code, CannedAnswer, CannedDraft};

use crate::settings::FormError;

/// The code being typed when the draft is `/` and a code so far (`/th` -> `th`, `/`
/// -> everything); `None` for any other draft (a space ends the code).
pub fn slash_query(draft: &str) -> Option<&str> {
    let query = draft.strip_prefix('/')?;
    query
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        .then_some(query)
}

/// The answers `query` picks: codes starting with it first, then codes containing
/// it, each group by code (the server's order); case does not matter.
pub fn choices<'a>(answers: &'a [CannedAnswer], query: &str) -> Vec<&'a CannedAnswer> {
    let query = query.to_ascii_lowercase();
    let (mut first, mut then) = (Vec::new(), Vec::new());
    for answer in answers {
        if answer.code.starts_with(&query) {
            first.push(answer);
        } else if answer.code.contains(&query) {
            then.push(answer);
        }
    }
    first.extend(then);
    first
}

/// The choice after (`down`) or before `selected` among `len`, wrapping around.
pub fn step(selected: usize, len: usize, down: bool) -> usize {
    match (len, down) {
        (0, _) => 0,
        (_, true) => (selected + 1) % len,
        (_, false) => (selected + len - 1) % len,
    }
}

/// The settings' form for a canned answer, checked before it is sent (the server
/// checks again).
pub fn draft(code: &str, text: &str) -> Result<CannedDraft, FormError> {
    let (code, text) = (code.trim(), text.trim());
    if !valid_code(code) || text.is_empty() {
        return Err(FormError::Canned);
    }
    Ok(CannedDraft {
        code: code.to_owned(),
        text: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(code: &str) -> CannedAnswer {
        CannedAnswer {
            id: 1,
            code: code.into(),
            text: format!("text of {code}"),
        }
    }

    #[test]
    fn a_slash_at_the_start_asks_for_a_code() {
        assert_eq!(slash_query("/"), Some(""));
        assert_eq!(slash_query("/th"), Some("th"));
        assert_eq!(slash_query("/ship-time_2"), Some("ship-time_2"));
        for other in ["", "hi", "/th x", "a /th", "/th\n"] {
            assert_eq!(slash_query(other), None, "{other:?}");
        }
    }

    #[test]
    fn codes_that_start_with_the_query_come_first() {
        let answers = [
            answer("hours"),
            answer("thanks"),
            answer("this"),
            answer("path"),
        ];
        let codes = |query| -> Vec<String> {
            choices(&answers, query)
                .iter()
                .map(|a| a.code.clone())
                .collect()
        };
        assert_eq!(codes("th"), ["thanks", "this", "path"]);
        assert_eq!(codes("TH"), ["thanks", "this", "path"]);
        assert_eq!(codes(""), ["hours", "thanks", "this", "path"]);
        assert!(codes("zz").is_empty());
    }

    #[test]
    fn the_arrows_wrap_around() {
        assert_eq!(step(0, 3, true), 1);
        assert_eq!(step(2, 3, true), 0);
        assert_eq!(step(0, 3, false), 2);
        assert_eq!(step(0, 0, true), 0);
    }

    #[test]
    fn an_answer_needs_a_code_and_a_text() {
        assert_eq!(
            draft(" thanks ", " Thank you! "),
            Ok(CannedDraft {
                code: "thanks".into(),
                text: "Thank you!".into()
            })
        );
        for (code, text) in [("", "Hi"), ("Two Words", "Hi"), ("hi", "  ")] {
            assert_eq!(draft(code, text), Err(FormError::Canned), "{code:?}");
        }
    }
}
