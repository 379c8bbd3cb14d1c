//! Every text the frame shows, in English, Spanish and Russian.
//!
//! The host page's choice (`Canal.setLocale`) wins, then the channel's locale, then
//! the browser's language; anything else falls back to English. The language can
//! change while the window is open: components draw their texts with [`tr`], which
//! follows the table the window provides ([`provide_language`]).

use leptos::prelude::*;

/// The UI texts of one language.
#[derive(Debug)]
pub struct Strings {
    /// BCP 47 tag of this table, for `<html lang>`.
    pub lang: &'static str,
    pub loading: &'static str,
    pub close: &'static str,
    pub messages: &'static str,
    pub message_label: &'static str,
    pub placeholder: &'static str,
    pub send: &'static str,
    pub decline: &'static str,
    pub read_full: &'static str,
    pub read_first: &'static str,
    pub consent_needed: &'static str,
    pub starting: &'static str,
    pub reconnecting: &'static str,
    pub err_params: &'static str,
    pub err_unavailable: &'static str,
    pub err_network: &'static str,
    pub err_page: &'static str,
    pub err_too_long: &'static str,
    pub err_session: &'static str,
    pub err_generic: &'static str,
    pub err_slow_down: &'static str,
    pub menu: &'static str,
    pub withdraw: &'static str,
    pub withdraw_title: &'static str,
    pub withdraw_text: &'static str,
    pub withdraw_yes: &'static str,
    pub cancel: &'static str,
    pub withdrawn: &'static str,
    pub rate: &'static str,
    pub rate_good: &'static str,
    pub rate_poor: &'static str,
    pub rate_comment: &'static str,
    pub rate_send: &'static str,
    pub rated: &'static str,
    /// The agent closed the chat.
    pub ended: &'static str,
    pub form_open: &'static str,
    pub form_title: &'static str,
    pub field_name: &'static str,
    pub field_email: &'static str,
    pub field_phone: &'static str,
    /// The phone field's placeholder: Canal needs the country code.
    pub phone_hint: &'static str,
    pub form_send: &'static str,
    pub form_tick: &'static str,
    pub form_sent: &'static str,
    pub err_consent: &'static str,
    pub err_fields: &'static str,
    /// Above the composer while the agent writes.
    pub typing: &'static str,
    /// Above the composer on a channel with the live typing preview.
    pub preview_note: &'static str,
    /// The out-of-hours notice, without its full stop: `back_on` and the opening
    /// time may follow.
    pub away: &'static str,
    /// Open, but nobody is online to answer.
    pub offline: &'static str,
    pub back_on: &'static str,
    /// The menu item and the heading of the panel that asks for the transcript.
    pub mail: &'static str,
    /// After the request, with the address for `{}`: the transcript goes when the
    /// chat ends (`mail_later`) or is on its way already (`mail_now`).
    pub mail_later: &'static str,
    pub mail_now: &'static str,
    pub err_email: &'static str,
    /// The server stopped sending e-mail since the window opened.
    pub err_mail_off: &'static str,
}

pub static EN: Strings = Strings {
    lang: "en",
    loading: "Loading…",
    close: "Close chat",
    messages: "Messages",
    message_label: "Your message",
    placeholder: "Type your message…",
    send: "Send",
    decline: "Decline",
    read_full: "Open the full text",
    read_first: "Please open the full text before accepting.",
    consent_needed:
        "The chat starts only after you accept the agreement. Your message has not been sent.",
    starting: "Starting the chat…",
    reconnecting: "Connection lost. Reconnecting…",
    err_params: "This chat window was opened without its settings. Please reload the page.",
    err_unavailable: "This chat is not available right now.",
    err_network: "Could not reach the chat. Please check your connection and try again.",
    err_page: "Could not tell which page you are on. Please reload the page and try again.",
    err_too_long: "This message is too long. Please shorten it.",
    err_session: "Your previous chat has ended. Send a message to start a new one.",
    err_generic: "Something went wrong. Please try again.",
    err_slow_down: "You are writing faster than the chat can take. Please wait a few seconds.",
    menu: "Chat options",
    withdraw: "Withdraw my consent",
    withdraw_title: "Withdraw your consent?",
    withdraw_text:
        "This chat ends and no more data is collected through it. You can start a new chat later.",
    withdraw_yes: "Withdraw",
    cancel: "Cancel",
    withdrawn: "You withdrew your consent. This chat has ended and no more data is collected.",
    rate: "Rate this chat",
    rate_good: "Good",
    rate_poor: "Poor",
    rate_comment: "Anything to add? (optional)",
    rate_send: "Send rating",
    rated: "Thank you for your rating.",
    ended: "The chat has ended. Write again any time.",
    form_open: "Leave your contact details",
    form_title: "Your contact details",
    field_name: "Name",
    field_email: "E-mail",
    field_phone: "Phone",
    phone_hint: "With the country code: +44 20 7946 0000",
    form_send: "Send details",
    form_tick: "Please tick the required agreements to send.",
    form_sent: "Thank you! Your contact details have been sent.",
    err_consent: "Please accept the required agreements.",
    err_fields: "Please check the details you entered.",
    typing: "The agent is typing…",
    preview_note: "The agent sees what you type before you send it.",
    away: "We're away right now. Leave a message and we'll answer when we're back",
    offline: "Nobody is online right now. Leave a message and we'll answer here as soon as we can.",
    back_on: " on ",
    mail: "E-mail me this conversation",
    mail_later: "We will e-mail this conversation to {} when it ends.",
    mail_now: "This conversation is on its way to {}.",
    err_email: "Please check the e-mail address.",
    err_mail_off: "Sending e-mail is not available right now.",
};

pub static ES: Strings = Strings {
    lang: "es",
    loading: "Cargando…",
    close: "Cerrar el chat",
    messages: "Mensajes",
    message_label: "Tu mensaje",
    placeholder: "Escribe tu mensaje…",
    send: "Enviar",
    decline: "Rechazar",
    read_full: "Abrir el texto completo",
    read_first: "Abre el texto completo antes de aceptar.",
    consent_needed: "El chat solo empieza cuando aceptas el acuerdo. Tu mensaje no se ha enviado.",
    starting: "Iniciando el chat…",
    reconnecting: "Conexión perdida. Reconectando…",
    err_params: "Esta ventana de chat se abrió sin su configuración. Recarga la página.",
    err_unavailable: "Este chat no está disponible ahora.",
    err_network: "No se pudo conectar con el chat. Comprueba tu conexión e inténtalo de nuevo.",
    err_page: "No se pudo saber en qué página estás. Recarga la página e inténtalo de nuevo.",
    err_too_long: "El mensaje es demasiado largo. Acórtalo, por favor.",
    err_session: "Tu chat anterior ha terminado. Envía un mensaje para empezar uno nuevo.",
    err_generic: "Algo salió mal. Inténtalo de nuevo.",
    err_slow_down: "Escribes más rápido de lo que el chat admite. Espera unos segundos.",
    menu: "Opciones del chat",
    withdraw: "Retirar mi consentimiento",
    withdraw_title: "¿Retirar tu consentimiento?",
    withdraw_text: "Este chat termina y ya no se recogen datos a través de él. Puedes empezar un chat nuevo más tarde.",
    withdraw_yes: "Retirar",
    cancel: "Cancelar",
    withdrawn: "Has retirado tu consentimiento. Este chat ha terminado y ya no se recogen datos.",
    rate: "Valorar este chat",
    rate_good: "Bien",
    rate_poor: "Mal",
    rate_comment: "¿Algo que añadir? (opcional)",
    rate_send: "Enviar valoración",
    rated: "Gracias por tu valoración.",
    ended: "El chat ha terminado. Escríbenos cuando quieras.",
    form_open: "Deja tus datos de contacto",
    form_title: "Tus datos de contacto",
    field_name: "Nombre",
    field_email: "Correo electrónico",
    field_phone: "Teléfono",
    phone_hint: "Con el prefijo del país: +34 600 123 456",
    form_send: "Enviar datos",
    form_tick: "Marca los acuerdos obligatorios para enviar.",
    form_sent: "¡Gracias! Tus datos de contacto se han enviado.",
    err_consent: "Acepta los acuerdos obligatorios, por favor.",
    err_fields: "Revisa los datos que has escrito.",
    typing: "El agente está escribiendo…",
    preview_note: "El agente ve lo que escribes antes de que lo envíes.",
    away: "Ahora no estamos. Deja un mensaje y te responderemos cuando volvamos",
    offline: "Ahora no hay nadie conectado. Deja un mensaje y te responderemos aquí lo antes posible.",
    back_on: ", el ",
    mail: "Enviarme esta conversación por correo",
    mail_later: "Te enviaremos esta conversación a {} cuando termine.",
    mail_now: "Esta conversación va de camino a {}.",
    err_email: "Revisa la dirección de correo electrónico.",
    err_mail_off: "El envío por correo no está disponible ahora.",
};

pub static RU: Strings = Strings {
    lang: "ru",
    loading: "Загрузка…",
    close: "Закрыть чат",
    messages: "Сообщения",
    message_label: "Ваше сообщение",
    placeholder: "Напишите сообщение…",
    send: "Отправить",
    decline: "Отказаться",
    read_full: "Открыть полный текст",
    read_first: "Откройте полный текст, прежде чем принять.",
    consent_needed:
        "Чат начнётся только после того, как вы примете соглашение. Сообщение не отправлено.",
    starting: "Начинаем чат…",
    reconnecting: "Связь потеряна. Переподключаемся…",
    err_params: "Окно чата открыто без настроек. Перезагрузите страницу.",
    err_unavailable: "Чат сейчас недоступен.",
    err_network: "Не удалось связаться с чатом. Проверьте подключение и попробуйте ещё раз.",
    err_page: "Не удалось определить страницу. Перезагрузите её и попробуйте ещё раз.",
    err_too_long: "Сообщение слишком длинное. Сократите его.",
    err_session: "Прежний чат завершён. Отправьте сообщение, чтобы начать новый.",
    err_generic: "Что-то пошло не так. Попробуйте ещё раз.",
    err_slow_down: "Вы пишете быстрее, чем чат успевает принять. Подождите несколько секунд.",
    menu: "Настройки чата",
    withdraw: "Отозвать согласие",
    withdraw_title: "Отозвать согласие?",
    withdraw_text:
        "Чат завершится, и данные через него больше не собираются. Позже можно начать новый чат.",
    withdraw_yes: "Отозвать",
    cancel: "Отмена",
    withdrawn: "Вы отозвали согласие. Чат завершён, данные больше не собираются.",
    rate: "Оценить чат",
    rate_good: "Хорошо",
    rate_poor: "Плохо",
    rate_comment: "Хотите что-то добавить? (необязательно)",
    rate_send: "Отправить оценку",
    rated: "Спасибо за оценку.",
    ended: "Чат завершён. Пишите, если понадобится.",
    form_open: "Оставить контакты",
    form_title: "Ваши контакты",
    field_name: "Имя",
    field_email: "Эл. почта",
    field_phone: "Телефон",
    phone_hint: "С кодом страны: +7 912 345-67-89",
    form_send: "Отправить",
    form_tick: "Отметьте обязательные соглашения, чтобы отправить.",
    form_sent: "Спасибо! Ваши контакты отправлены.",
    err_consent: "Примите обязательные соглашения.",
    err_fields: "Проверьте введённые данные.",
    typing: "Оператор печатает…",
    preview_note: "Оператор видит, что вы печатаете, ещё до отправки.",
    away: "Сейчас нас нет на месте. Оставьте сообщение, и мы ответим, когда вернёмся",
    offline: "Сейчас никого нет в сети. Оставьте сообщение, и мы ответим здесь, как только сможем.",
    back_on: ": ",
    mail: "Прислать переписку на почту",
    mail_later: "Мы пришлём эту переписку на {}, когда чат завершится.",
    mail_now: "Отправляем переписку на {}.",
    err_email: "Проверьте адрес электронной почты.",
    err_mail_off: "Отправка на почту сейчас недоступна.",
};

impl canal_kit::i18n::Table for Strings {
    fn lang(&self) -> &'static str {
        self.lang
    }
}

/// Every table.
static TABLES: [&Strings; 3] = [&EN, &ES, &RU];

/// The table for a BCP 47 tag (`es`, `es-MX`, `ru-RU`, ...); English otherwise.
pub fn for_tag(tag: &str) -> &'static Strings {
    canal_kit::i18n::for_tag(&TABLES, tag).unwrap_or(&EN)
}

/// The table for a locale (the host page's or the channel's), else for the
/// browser's language.
pub fn pick(locale: Option<&str>) -> &'static Strings {
    match locale {
        Some(tag) => for_tag(tag),
        None => for_tag(&canal_kit::i18n::browser_language()),
    }
}

/// The out-of-hours notice. With `opens_at` (RFC 3339), it says when the channel
/// is back: weekday, date and time on the visitor's clock, written the way their
/// language writes it (the browser's `Intl`), e.g. "Wednesday, January 16 at
/// 1:00 PM". Without it (or with a malformed one), just that the channel is away.
pub fn away(strings: &'static Strings, opens_at: Option<&str>) -> String {
    match opens_at.and_then(date) {
        Some(date) => format!(
            "{}{}{}.",
            strings.away,
            strings.back_on,
            written(
                &date,
                strings.lang,
                r#"{"weekday":"long","month":"long","day":"numeric","hour":"numeric","minute":"2-digit"}"#
            )
        ),
        None => format!("{}.", strings.away),
    }
}

/// When a message was sent, on the visitor's clock and in their language (the
/// browser's `Intl`): the time alone for today ("1:05 PM", "13:05"), with the day
/// before it otherwise ("Jan 16, 1:05 PM", "16 янв., 13:05"). `None` when `sent_at`
/// (RFC 3339) does not parse.
pub fn sent_time(strings: &'static Strings, sent_at: &str) -> Option<String> {
    let date = date(sent_at)?;
    let today = date.to_date_string() == js_sys::Date::new_0().to_date_string();
    Some(written(
        &date,
        strings.lang,
        if today {
            r#"{"hour":"numeric","minute":"2-digit"}"#
        } else {
            r#"{"month":"short","day":"numeric","hour":"numeric","minute":"2-digit"}"#
        },
    ))
}

/// An RFC 3339 instant as a browser date; `None` when it does not parse.
fn date(at: &str) -> Option<js_sys::Date> {
    let date = js_sys::Date::new(&at.into());
    (!date.get_time().is_nan()).then_some(date)
}

/// `date` on the visitor's clock, in `lang`, with these `Intl.DateTimeFormat`
/// options (a JSON object).
fn written(date: &js_sys::Date, lang: &str, options: &str) -> String {
    let options = js_sys::JSON::parse(options).unwrap_or_default();
    date.to_locale_string(lang, &options).into()
}

/// A text, named by the field of [`Strings`] that holds it: `|t| t.send`. What the
/// session shows is kept as a `Text`, so it is drawn in whatever language is current.
pub type Text = fn(&'static Strings) -> &'static str;

/// Makes `strings` the language of the components inside; setting it switches
/// their texts at once.
pub fn provide_language(strings: RwSignal<&'static Strings>) {
    canal_kit::i18n::provide_language(strings);
}

/// Tells the document (`<html lang>`, for screen readers) its language.
pub fn set_document_language(strings: &'static Strings) {
    canal_kit::i18n::set_document_language(strings.lang);
}

/// Whether an enclosing component already provides the language.
pub fn has_language() -> bool {
    canal_kit::i18n::has_language::<Strings>()
}

/// The language provided by the enclosing components; English when there is none
/// (a component mounted alone, as in tests).
pub fn use_strings() -> RwSignal<&'static Strings> {
    canal_kit::i18n::use_strings(&EN)
}

/// `text` in the current language, as a view or an attribute value that follows a
/// change of language.
pub fn tr(text: Text) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    canal_kit::i18n::tr(&EN, text)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn tags_pick_their_language_and_unknown_ones_english() {
        assert!(std::ptr::eq(for_tag("es-MX"), &ES));
        assert!(std::ptr::eq(for_tag("RU"), &RU));
        assert!(std::ptr::eq(for_tag("de-DE"), &EN));
        assert!(std::ptr::eq(for_tag(""), &EN));
        assert!(std::ptr::eq(pick(Some("ru_RU")), &RU));
    }

    #[test]
    fn the_mail_confirmations_have_a_place_for_the_address() {
        for strings in [&EN, &ES, &RU] {
            for text in [strings.mail_later, strings.mail_now] {
                assert_eq!(text.matches("{}").count(), 1, "{text}");
            }
        }
    }

    #[test]
    fn every_table_names_its_language() {
        for (strings, lang) in [(&EN, "en"), (&ES, "es"), (&RU, "ru")] {
            assert_eq!(strings.lang, lang);
            assert!(std::ptr::eq(for_tag(lang), strings));
        }
    }
}
