//! The e-mails Canal writes to visitors, as plain text in the channel's language:
//! the transcript of a closed conversation, and an agent's answers to a visitor who
//! had left the page, with the link back to the chat.
//!
//! Pure: the caller gives the channel's title and language, the messages as the
//! visitor sees them (author names per the channel's display mode) and the link.

use canal_protocol::{Author, MessageView};

/// The fragment a chat link carries: the loader opens the chat when the page's
/// address ends with it.
pub const OPEN_CHAT_FRAGMENT: &str = "#canal-chat";

/// A mail ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub body: String,
}

/// The languages mails are written in; anything else is written in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    En,
    Es,
    Ru,
}

impl Language {
    /// The channel's language (`None` or unknown: English).
    pub fn of(locale: Option<&str>) -> Self {
        match locale.map(|l| l.split(['-', '_']).next().unwrap_or(l)) {
            Some("es") => Self::Es,
            Some("ru") => Self::Ru,
            _ => Self::En,
        }
    }
}

struct Words {
    transcript_subject: &'static str,
    transcript_intro: &'static str,
    reply_subject: &'static str,
    reply_intro: &'static str,
    go_back: &'static str,
    you: &'static str,
    agent: &'static str,
    why_transcript: &'static str,
    why_reply: &'static str,
}

fn words(language: Language) -> &'static Words {
    match language {
        Language::En => &Words {
            transcript_subject: "Your conversation with {title}",
            transcript_intro: "Here is your conversation with {title}, as you asked.",
            reply_subject: "{title} answered you",
            reply_intro: "You have a new answer from {title}:",
            go_back: "To answer, go back to the chat:",
            you: "You",
            agent: "Agent",
            why_transcript: "You receive this e-mail because this address was given in the chat on {site}.",
            why_reply: "You receive this e-mail because you left this address in the chat on {site} and left the page before the answer came.",
        },
        Language::Es => &Words {
            transcript_subject: "Tu conversación con {title}",
            transcript_intro: "Aquí tienes tu conversación con {title}, como pediste.",
            reply_subject: "{title} te ha respondido",
            reply_intro: "Tienes una respuesta nueva de {title}:",
            go_back: "Para responder, vuelve al chat:",
            you: "Tú",
            agent: "Agente",
            why_transcript: "Recibes este correo porque se indicó esta dirección en el chat de {site}.",
            why_reply: "Recibes este correo porque dejaste esta dirección en el chat de {site} y saliste de la página antes de que llegara la respuesta.",
        },
        Language::Ru => &Words {
            transcript_subject: "Ваша переписка с «{title}»",
            transcript_intro: "Вот ваша переписка с «{title}», как вы просили.",
            reply_subject: "«{title}»: вам ответили",
            reply_intro: "Новый ответ от «{title}»:",
            go_back: "Чтобы ответить, вернитесь в чат:",
            you: "Вы",
            agent: "Оператор",
            why_transcript: "Вы получили это письмо, потому что этот адрес был указан в чате на {site}.",
            why_reply: "Вы получили это письмо, потому что оставили этот адрес в чате на {site} и ушли со страницы до ответа.",
        },
    }
}

/// `2026-11-21T16:20:00.123Z` as `2026-11-21 16:20 UTC` (as is when it is not that
/// shape).
fn when(sent_at: &str) -> String {
    match (sent_at.get(..10), sent_at.get(11..16)) {
        (Some(day), Some(time)) if sent_at.ends_with('Z') => format!("{day} {time} UTC"),
        _ => sent_at.to_owned(),
    }
}

/// One message as a block of text: who and when on one line, the text indented
/// below it.
fn line(words: &Words, message: &MessageView, out: &mut String) {
    let who = match message.author {
        Author::Visitor => words.you.to_owned(),
        Author::Agent => message
            .author_name
            .clone()
            .unwrap_or_else(|| words.agent.to_owned()),
        Author::System => String::new(),
    };
    out.push_str(&format!("[{}]", when(&message.sent_at)));
    if !who.is_empty() {
        out.push(' ');
        out.push_str(&who);
    }
    out.push('\n');
    for text_line in message.text.lines() {
        out.push_str("  ");
        out.push_str(text_line);
        out.push('\n');
    }
    out.push('\n');
}

/// The site a page is on (`https://shop.example`), for the footer.
fn site(page_url: Option<&str>) -> String {
    page_url
        .and_then(|p| url::Url::parse(p).ok())
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
        .unwrap_or_default()
}

/// The page the conversation started on, with the fragment that opens the chat.
pub fn chat_link(page_url: &str) -> Option<String> {
    let mut url = url::Url::parse(page_url).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(Some(OPEN_CHAT_FRAGMENT.trim_start_matches('#')));
    Some(url.to_string())
}

/// A mail: the intro, the messages, the way back to the chat (when given) and why
/// the visitor receives it.
fn written(
    w: &Words,
    [subject, intro, why]: [&str; 3],
    title: &str,
    page_url: Option<&str>,
    messages: &[MessageView],
    go_back: Option<(&str, String)>,
) -> Composed {
    let mut body = intro.replace("{title}", title);
    body.push_str("\n\n");
    for message in messages {
        line(w, message, &mut body);
    }
    if let Some((words, link)) = go_back {
        body.push_str(&format!("{words}\n{link}\n\n"));
    }
    body.push_str("-- \n");
    body.push_str(&why.replace("{site}", &site(page_url)));
    body.push('\n');
    Composed {
        subject: subject.replace("{title}", title),
        body,
    }
}

/// The transcript of a conversation: every message the visitor saw, in order.
pub fn transcript(
    language: Language,
    title: &str,
    page_url: Option<&str>,
    messages: &[MessageView],
) -> Composed {
    let w = words(language);
    let texts = [w.transcript_subject, w.transcript_intro, w.why_transcript];
    written(w, texts, title, page_url, messages, None)
}

/// An agent's answers to a visitor who left, with the way back to the chat.
pub fn reply(
    language: Language,
    title: &str,
    page_url: Option<&str>,
    answers: &[MessageView],
) -> Composed {
    let w = words(language);
    let go_back = page_url.and_then(chat_link).map(|link| (w.go_back, link));
    let texts = [w.reply_subject, w.reply_intro, w.why_reply];
    written(w, texts, title, page_url, answers, go_back)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(seq: u64, author: Author, name: Option<&str>, text: &str) -> MessageView {
        MessageView {
            seq,
            author,
            text: text.into(),
            client_id: None,
            sent_at: "2026-11-21T16:20:00.123Z".into(),
            author_name: name.map(Into::into),
            author_avatar: None,
        }
    }

    #[test]
    fn a_transcript_shows_every_message_with_who_wrote_it() {
        let mail = transcript(
            Language::En,
            "Shop",
            Some("https://shop.example/cart?x=1"),
            &[
                message(1, Author::Visitor, None, "Where is my order?\nIt is late."),
                message(2, Author::Agent, Some("Ana"), "On its way."),
                message(3, Author::Agent, None, "Anything else?"),
            ],
        );
        assert_eq!(mail.subject, "Your conversation with Shop");
        assert!(mail
            .body
            .contains("[2026-11-21 16:20 UTC] You\n  Where is my order?\n  It is late.\n"));
        assert!(mail
            .body
            .contains("[2026-11-21 16:20 UTC] Ana\n  On its way.\n"));
        // The channel hides agents' names: "Agent".
        assert!(mail.body.contains("] Agent\n  Anything else?\n"));
        assert!(mail.body.contains("in the chat on https://shop.example."));
    }

    #[test]
    fn a_reply_links_back_to_the_page_with_the_chat_open() {
        let mail = reply(
            Language::Es,
            "Tienda",
            Some("https://shop.example/cart?x=1#top"),
            &[message(4, Author::Agent, Some("Ana"), "Ya está.")],
        );
        assert_eq!(mail.subject, "Tienda te ha respondido");
        assert!(mail
            .body
            .starts_with("Tienes una respuesta nueva de Tienda:"));
        assert!(mail
            .body
            .contains("vuelve al chat:\nhttps://shop.example/cart?x=1#canal-chat\n"));
    }

    #[test]
    fn the_channels_language_picks_the_words() {
        assert_eq!(Language::of(Some("ru")), Language::Ru);
        assert_eq!(Language::of(Some("es-MX")), Language::Es);
        assert_eq!(Language::of(Some("de")), Language::En);
        assert_eq!(Language::of(None), Language::En);
        let mail = transcript(Language::Ru, "Магазин", None, &[]);
        assert_eq!(mail.subject, "Ваша переписка с «Магазин»");
    }

    #[test]
    fn only_web_pages_get_a_link() {
        assert_eq!(chat_link("javascript:alert(1)"), None);
        assert_eq!(chat_link("not a url"), None);
        assert_eq!(
            chat_link("http://a.example/").as_deref(),
            Some("http://a.example/#canal-chat")
        );
    }
}
