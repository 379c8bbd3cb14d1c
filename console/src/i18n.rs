//! The console's UI texts: one table per language (English, Spanish, Russian).
//!
//! The agent's own choice (the header's picker, kept in `localStorage`) wins, then
//! the browser's language; anything else is English. The language can change while
//! the console is open: components read the current table from a signal provided
//! as context ([`provide_language`], [`use_strings`]) and draw plain texts with
//! [`tr`], so a switch redraws the texts in place (drafts and forms are kept).

use canal_protocol::agent::{InboxKind, Role, Status};
use canal_protocol::ErrorCode;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::settings::FormError;
use canal_protocol::agent::{DisplayMode, RoutingMode};

/// Every text the console shows.
#[derive(Debug)]
pub struct Strings {
    /// BCP 47 tag of this table, for `<html lang>`, `Intl` and the picker.
    pub lang: &'static str,
    /// The language's name in itself, as the picker lists it.
    pub native_name: &'static str,
    /// The picker's label.
    pub language: &'static str,
    pub app_name: &'static str,
    pub loading: &'static str,

    pub sign_in_title: &'static str,
    pub sign_in_lead: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub signing_in: &'static str,
    pub err_credentials: &'static str,
    pub err_login_invalid: &'static str,
    pub err_too_many: &'static str,
    pub err_network: &'static str,
    pub err_server: &'static str,
    pub err_session_over: &'static str,
    pub err_sign_out: &'static str,

    pub sign_out: &'static str,
    pub connecting: &'static str,
    pub connected: &'static str,
    pub reconnecting: &'static str,
    pub retry_now: &'static str,
    pub status_label: &'static str,
    pub online: &'static str,
    pub away: &'static str,
    pub offline: &'static str,

    pub inbox: &'static str,
    pub offered_to_me: &'static str,
    pub mine: &'static str,
    pub queue: &'static str,
    pub others: &'static str,
    pub none_offered: &'static str,
    pub none_mine: &'static str,
    pub none_waiting: &'static str,
    pub none_others: &'static str,
    pub take: &'static str,
    pub decline: &'static str,
    /// Before the countdown: "Passes on in 0:42".
    pub passes_on_in: &'static str,
    /// After an unread count of one ("1 new"; Russian: one, 21, 31...).
    pub new_message: &'static str,
    /// After any other unread count ("3 new").
    pub new_messages: &'static str,
    pub no_messages_yet: &'static str,

    pub pick_conversation: &'static str,
    pub loading_conversation: &'static str,
    pub standing_offered: &'static str,
    pub standing_mine: &'static str,
    pub standing_waiting: &'static str,
    pub rating: &'static str,
    pub rated_like: &'static str,
    pub rated_dislike: &'static str,
    pub withdrawn: &'static str,
    pub standing_others: &'static str,
    pub standing_closed: &'static str,
    pub standing_gone: &'static str,
    pub started: &'static str,
    pub page: &'static str,
    pub page_now: &'static str,
    /// A messenger dialog's link to the connector's own app.
    pub open_in_connector: &'static str,
    pub messages: &'static str,
    pub visitor: &'static str,
    pub agent: &'static str,
    pub system: &'static str,
    pub pending: &'static str,
    pub failed: &'static str,
    pub transfer_to: &'static str,
    pub choose_target: &'static str,
    pub back_to_queue: &'static str,
    pub transfer: &'static str,
    pub close_conversation: &'static str,
    pub reply_label: &'static str,
    pub reply_placeholder: &'static str,
    pub send: &'static str,
    pub reply_hint: &'static str,
    pub err_reply_long: &'static str,
    pub err_reply_not_yours: &'static str,
    pub err_no_crypto: &'static str,
    pub routing_log: &'static str,
    /// The customer card beside a conversation.
    pub customer: &'static str,
    pub crm_unknown: &'static str,
    pub crm_no_name: &'static str,
    pub responsible: &'static str,
    pub crm_records: &'static str,
    /// A CRM record's status, a conversation's or consent's source, a consent's
    /// action, in words (see [`Strings::crm_code`]).
    pub crm_open: &'static str,
    pub crm_won: &'static str,
    pub crm_lost: &'static str,
    pub crm_livechat: &'static str,
    pub crm_form: &'static str,
    pub crm_messenger: &'static str,
    pub crm_api: &'static str,
    pub crm_grant: &'static str,
    pub crm_withdraw: &'static str,
    pub crm_lead: &'static str,
    pub crm_deal: &'static str,
    pub crm_conversations: &'static str,
    /// Before a number of messages: "Messages: 12".
    pub crm_messages: &'static str,
    pub crm_consents: &'static str,
    pub save_to_crm: &'static str,
    pub routing_log_empty: &'static str,
    /// Before a colleague's number of conversations: "holding 2".
    pub holding: &'static str,
    pub actions: &'static str,
    pub role_agent: &'static str,
    pub role_supervisor: &'static str,
    pub role_admin: &'static str,

    pub dismiss: &'static str,
    pub refused_routing: &'static str,
    pub refused_forbidden: &'static str,
    pub refused_too_large: &'static str,
    pub refused_invalid: &'static str,
    pub refused_unknown: &'static str,
    pub refused_internal: &'static str,
    pub refused_other: &'static str,
    pub closed_read_only: &'static str,
    /// Under the messages while the visitor writes.
    pub visitor_typing: &'static str,
    /// On an inbox line while its visitor writes.
    pub typing_short: &'static str,
    /// Before the visitor's draft (the live typing preview) under the messages.
    pub visitor_draft: &'static str,

    pub views: &'static str,
    pub conversations: &'static str,
    pub settings: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub save: &'static str,
    pub channel_key: &'static str,
    pub load: &'static str,
    pub err_admin_forbidden: &'static str,
    pub err_admin_failed: &'static str,

    /// Monday first.
    pub weekdays: [&'static str; 7],

    pub setup_hint_title: &'static str,
    /// Before the command that makes the first admin.
    pub setup_hint_run: &'static str,
    /// After the command.
    pub setup_hint_then: &'static str,

    /// The picker of the channel the sections below are about.
    pub channel: &'static str,

    pub message_log: &'static str,
    pub log_filters: &'static str,
    pub any_channel: &'static str,
    pub any_agent: &'static str,
    pub log_status: &'static str,
    pub any_status: &'static str,
    pub status_open: &'static str,
    pub status_closed: &'static str,
    /// The first day of the log's filter.
    pub from_day: &'static str,
    /// The last day of the log's filter.
    pub to_day: &'static str,
    pub show: &'static str,
    pub clear_filters: &'static str,
    pub loading_log: &'static str,
    pub log_caption: &'static str,
    pub log_started: &'static str,
    pub log_rating: &'static str,
    /// After a deleted channel's name in the log's channel filter.
    pub deleted_marker: &'static str,
    pub log_empty: &'static str,
    pub log_none_match: &'static str,
    pub show_more: &'static str,
    pub back_to_log: &'static str,
    pub not_rated: &'static str,
    /// Who holds a conversation nobody took.
    pub nobody: &'static str,
    /// The conversation list's search field.
    pub search: &'static str,
    pub search_hint: &'static str,
    pub any_unanswered: &'static str,
    pub unanswered_only: &'static str,
    pub answered_only: &'static str,
    pub any_rating: &'static str,
    /// The rating filter's choice for conversations without a rating.
    pub rating_none: &'static str,
    pub labels: &'static str,
    pub any_label: &'static str,
    pub no_labels: &'static str,
    pub err_label: &'static str,
    pub err_date: &'static str,
    pub err_date_range: &'static str,
    pub canned_title: &'static str,
    pub canned_hint: &'static str,
    pub loading_canned: &'static str,
    pub no_canned: &'static str,
    pub canned_code: &'static str,
    pub canned_text: &'static str,
    pub canned_add: &'static str,
    pub canned_added: &'static str,
    pub canned_saved: &'static str,
    pub canned_delete: &'static str,
    pub canned_deleted: &'static str,
    pub canned_menu: &'static str,
    pub canned_choices: &'static str,
    pub canned_no_match: &'static str,
    pub alerts: &'static str,
    pub private_note: &'static str,
    pub note_placeholder: &'static str,
    pub add_note: &'static str,
    pub alert_sound: &'static str,
    pub alert_desktop: &'static str,
    pub alert_title: &'static str,
    pub alert_allow: &'static str,
    pub alert_blocked: &'static str,
    pub alert_offer: &'static str,
    pub alert_message: &'static str,
    /// The inbox's mark on a conversation no agent answered in time.
    pub unanswered: &'static str,
    /// The inbox's filter.
    pub only_unanswered: &'static str,
    pub overdue_title: &'static str,
    /// An overdue notice in Canal's own words (`#OPERATOR#`: the agent's name,
    /// `#DIALOG#`: the conversation).
    pub overdue_default: &'static str,
    pub reports: &'static str,
    pub first_response: &'static str,
    pub total_response: &'static str,
    pub average_response: &'static str,
    pub max_response: &'static str,
    pub responses: &'static str,
    pub likes: &'static str,
    pub dislikes: &'static str,
    pub export_csv: &'static str,
    pub transcript: &'static str,
}

/// English.
pub static EN: Strings = Strings {
    lang: "en",
    native_name: "English",
    language: "Language",
    app_name: "Canal console",
    loading: "Loading…",

    sign_in_title: "Sign in",
    sign_in_lead: "Answer your website's visitors.",
    email: "Email",
    password: "Password",
    sign_in: "Sign in",
    signing_in: "Signing in…",
    err_credentials: "Wrong email or password.",
    err_login_invalid: "Enter your email address and password.",
    err_too_many: "Too many attempts. Wait a minute, then try again.",
    err_network: "Cannot reach the server. Check your connection and try again.",
    err_server: "The server could not sign you in. Try again in a moment.",
    err_session_over: "Your session has ended. Sign in again.",
    err_sign_out: "Could not sign out. Check your connection and try again.",

    sign_out: "Sign out",
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Reconnecting…",
    retry_now: "Retry now",
    status_label: "Available for new conversations",
    online: "Online",
    away: "Away",
    offline: "Offline",

    inbox: "Inbox",
    offered_to_me: "Offered to me",
    mine: "Mine",
    queue: "Queue",
    others: "Others",
    none_offered: "No offers right now.",
    none_mine: "You hold no conversations.",
    none_waiting: "Nobody is waiting.",
    none_others: "Colleagues hold no conversations.",
    take: "Take",
    decline: "Decline",
    passes_on_in: "Passes on in",
    new_message: "new",
    new_messages: "new",
    no_messages_yet: "No messages yet",

    pick_conversation: "Pick a conversation from the inbox.",
    loading_conversation: "Loading the conversation…",
    standing_offered: "Offered to you",
    standing_mine: "Yours",
    standing_waiting: "Waiting in the queue",
    rating: "Visitor's rating",
    rated_like: "👍 good",
    rated_dislike: "👎 poor",
    withdrawn: "The visitor withdrew their consent: nothing more is collected from them",
    standing_others: "With a colleague",
    standing_closed: "Closed",
    standing_gone: "No longer in your inbox",
    started: "Started at",
    page: "Page",
    page_now: "Now on",
    open_in_connector: "Open in the messenger's app",
    messages: "Messages",
    visitor: "Visitor",
    agent: "Agent",
    system: "System",
    pending: "Sending…",
    failed: "Not sent",
    transfer_to: "Transfer to",
    choose_target: "Choose…",
    back_to_queue: "Back to queue",
    transfer: "Transfer",
    close_conversation: "Close conversation",
    reply_label: "Reply",
    reply_placeholder: "Write a reply…",
    send: "Send",
    reply_hint: "Enter sends, Shift+Enter starts a new line.",
    err_reply_long: "The reply is too long.",
    err_reply_not_yours: "Only the agent holding the conversation can reply.",
    err_no_crypto: "This browser cannot send replies (no secure random numbers).",
    routing_log: "Routing log",
    customer: "Customer",
    crm_unknown: "Not in the CRM yet.",
    crm_no_name: "No name",
    responsible: "Responsible",
    crm_records: "Leads and deals",
    crm_open: "Open",
    crm_won: "Won",
    crm_lost: "Lost",
    crm_livechat: "Website chat",
    crm_form: "Contact form",
    crm_messenger: "Messenger",
    crm_api: "API",
    crm_grant: "Given",
    crm_withdraw: "Withdrawn",
    crm_lead: "Lead",
    crm_deal: "Deal",
    crm_conversations: "Conversations",
    crm_messages: "Messages",
    crm_consents: "Consents",
    save_to_crm: "Save to CRM",
    routing_log_empty: "No routing decisions yet.",
    holding: "holding",
    actions: "Conversation actions",
    role_agent: "Agent",
    role_supervisor: "Supervisor",
    role_admin: "Admin",

    dismiss: "Dismiss",
    refused_routing: "Not possible any more: the conversation was taken, passed on or closed.",
    refused_forbidden: "Your role does not allow that.",
    refused_too_large: "That was too large to send.",
    refused_invalid: "The server did not accept that.",
    refused_unknown: "That conversation does not exist (any more).",
    refused_internal: "The server failed; nothing changed. Try again.",
    refused_other: "The server refused that; nothing changed.",
    closed_read_only: "This conversation is closed. Its history is read-only.",
    visitor_typing: "The visitor is typing…",
    typing_short: "typing…",
    visitor_draft: "Typing now, not sent:",

    views: "Views",
    conversations: "Conversations",
    settings: "Settings",
    name: "Name",
    role: "Role",
    save: "Save",
    channel_key: "Channel key",
    load: "Load",
    err_admin_forbidden: "Only admins can change settings. Sign in again as an admin.",
    err_admin_failed: "The server could not do that. Try again.",

    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],

    setup_hint_title: "No accounts yet",
    setup_hint_run: "This Canal has no accounts yet. On the server, run:",
    setup_hint_then: "then sign in here with the password it prints.",

    channel: "Channel",


    message_log: "Message log",
    log_filters: "Filter the message log",
    any_channel: "Any channel",
    any_agent: "Any agent",
    log_status: "Status",
    any_status: "Any status",
    status_open: "Open",
    status_closed: "Closed",
    from_day: "From",
    to_day: "To",
    show: "Show",
    clear_filters: "Clear filters",
    loading_log: "Loading the message log…",
    log_caption: "Conversations, newest first",
    log_started: "Started",
    log_rating: "Rating",
    deleted_marker: " (deleted)",
    log_empty: "No conversations yet.",
    log_none_match: "No conversation matches these filters.",
    show_more: "Show more",
    back_to_log: "Back to the log",
    not_rated: "not rated",
    nobody: "Nobody",
    search: "Search",
    search_hint: "A word of the messages, or the visitor's name or e-mail (3 characters or more)",
    any_unanswered: "Answered or not",
    unanswered_only: "Unanswered only",
    answered_only: "Not unanswered",
    any_rating: "Any rating",
    rating_none: "Not rated",
    labels: "Labels",
    any_label: "Any label",
    no_labels: "No labels yet: an admin creates them in Settings.",
    err_label: "The label could not be changed. Try again.",
    err_date: "Enter the days as YYYY-MM-DD.",
    err_date_range: "The first day must not come after the last.",
    canned_title: "Canned answers",
    canned_hint: "Agents type / and the code in the reply box. {name} stands for the visitor's name, {agent} for the agent's.",
    loading_canned: "Loading the canned answers…",
    no_canned: "No canned answers yet.",
    canned_code: "Code",
    canned_text: "Text",
    canned_add: "Add the answer",
    canned_added: "Added.",
    canned_saved: "Saved.",
    canned_delete: "Delete",
    canned_deleted: "Deleted.",
    canned_menu: "Canned answers",
    canned_choices: "Canned answers: arrows to choose, Enter to insert, Escape to close",
    canned_no_match: "No canned answer has that code.",
    alerts: "Alerts",
    private_note: "Private note",
    note_placeholder: "A note for the agents only: the visitor never sees it",
    add_note: "Add note",
    alert_sound: "Sound when the console is not in view",
    alert_desktop: "Desktop notification when the console is not in view",
    alert_title: "Count offers and unread messages in the tab's title",
    alert_allow: "Allow desktop notifications",
    alert_blocked: "This browser blocks notifications from the console; allow them in its site settings.",
    alert_offer: "New conversation offered",
    alert_message: "New message from a visitor",
    unanswered: "Unanswered",
    only_unanswered: "Only unanswered",
    overdue_title: "Overdue answers",
    overdue_default: "#OPERATOR# has not answered conversation #DIALOG# in time.",
    reports: "Reports",
    first_response: "First response",
    total_response: "Total response",
    average_response: "Average response",
    max_response: "Max response",
    responses: "Answers",
    likes: "Likes",
    dislikes: "Dislikes",
    export_csv: "Export CSV",
    transcript: "Transcript",
};

/// Spanish (the agent is addressed with "tú").
pub static ES: Strings = Strings {
    lang: "es",
    native_name: "Español",
    language: "Idioma",
    app_name: "Consola de Canal",
    loading: "Cargando…",

    sign_in_title: "Iniciar sesión",
    sign_in_lead: "Atiende a los visitantes de tu web.",
    email: "Correo electrónico",
    password: "Contraseña",
    sign_in: "Entrar",
    signing_in: "Entrando…",
    err_credentials: "Correo o contraseña incorrectos.",
    err_login_invalid: "Escribe tu correo y tu contraseña.",
    err_too_many: "Demasiados intentos. Espera un minuto y vuelve a intentarlo.",
    err_network: "No se puede conectar con el servidor. Comprueba tu conexión e inténtalo de nuevo.",
    err_server: "El servidor no pudo iniciar tu sesión. Inténtalo de nuevo en un momento.",
    err_session_over: "Tu sesión ha terminado. Vuelve a iniciar sesión.",
    err_sign_out: "No se pudo cerrar la sesión. Comprueba tu conexión e inténtalo de nuevo.",

    sign_out: "Cerrar sesión",
    connecting: "Conectando…",
    connected: "Conectado",
    reconnecting: "Reconectando…",
    retry_now: "Reintentar ahora",
    status_label: "Disponible para conversaciones nuevas",
    online: "En línea",
    away: "Ausente",
    offline: "Desconectado",

    inbox: "Bandeja",
    offered_to_me: "Ofrecidas a mí",
    mine: "Mías",
    queue: "Cola",
    others: "De compañeros",
    none_offered: "Ahora no hay ofertas.",
    none_mine: "No tienes conversaciones.",
    none_waiting: "No hay nadie esperando.",
    none_others: "Tus compañeros no tienen conversaciones.",
    take: "Atender",
    decline: "Rechazar",
    passes_on_in: "Pasa a otro en",
    new_message: "sin leer",
    new_messages: "sin leer",
    no_messages_yet: "Aún no hay mensajes",

    pick_conversation: "Elige una conversación de la bandeja.",
    loading_conversation: "Cargando la conversación…",
    standing_offered: "Ofrecida a ti",
    standing_mine: "Tuya",
    standing_waiting: "Esperando en la cola",
    rating: "Valoración del visitante",
    rated_like: "👍 buena",
    rated_dislike: "👎 mala",
    withdrawn: "El visitante retiró su consentimiento: ya no se recoge nada de él",
    standing_others: "Con un compañero",
    standing_closed: "Cerrada",
    standing_gone: "Ya no está en tu bandeja",
    started: "Iniciada a las",
    page: "Página",
    page_now: "Ahora en",
    open_in_connector: "Abrir en la aplicación del mensajero",
    messages: "Mensajes",
    visitor: "Visitante",
    agent: "Agente",
    system: "Sistema",
    pending: "Enviando…",
    failed: "No enviado",
    transfer_to: "Transferir a",
    choose_target: "Elige…",
    back_to_queue: "Devolver a la cola",
    transfer: "Transferir",
    close_conversation: "Cerrar conversación",
    reply_label: "Respuesta",
    reply_placeholder: "Escribe una respuesta…",
    send: "Enviar",
    reply_hint: "Intro envía; Mayús+Intro añade una línea.",
    err_reply_long: "La respuesta es demasiado larga.",
    err_reply_not_yours: "Solo puede responder el agente que tiene la conversación.",
    err_no_crypto: "Este navegador no puede enviar respuestas (no tiene números aleatorios seguros).",
    routing_log: "Registro de asignación",
    customer: "Cliente",
    crm_unknown: "Aún no está en el CRM.",
    crm_no_name: "Sin nombre",
    responsible: "Responsable",
    crm_records: "Prospectos y negociaciones",
    crm_open: "Abierto",
    crm_won: "Ganado",
    crm_lost: "Perdido",
    crm_livechat: "Chat del sitio",
    crm_form: "Formulario de contacto",
    crm_messenger: "Mensajero",
    crm_api: "API",
    crm_grant: "Dado",
    crm_withdraw: "Retirado",
    crm_lead: "Prospecto",
    crm_deal: "Negociación",
    crm_conversations: "Conversaciones",
    crm_messages: "Mensajes",
    crm_consents: "Consentimientos",
    save_to_crm: "Guardar en el CRM",
    routing_log_empty: "Aún no hay decisiones de asignación.",
    holding: "en curso:",
    actions: "Acciones de la conversación",
    role_agent: "Agente",
    role_supervisor: "Supervisor",
    role_admin: "Administrador",

    dismiss: "Descartar",
    refused_routing: "Ya no es posible: la conversación se atendió, pasó a otro o se cerró.",
    refused_forbidden: "Tu rol no lo permite.",
    refused_too_large: "Era demasiado grande para enviarlo.",
    refused_invalid: "El servidor no lo aceptó.",
    refused_unknown: "Esa conversación no existe (o ya no).",
    refused_internal: "Falló el servidor; no ha cambiado nada. Inténtalo de nuevo.",
    refused_other: "El servidor lo rechazó; no ha cambiado nada.",
    closed_read_only: "Esta conversación está cerrada. Su historial es de solo lectura.",
    visitor_typing: "El visitante está escribiendo…",
    typing_short: "escribiendo…",
    visitor_draft: "Escribiendo ahora, sin enviar:",

    views: "Vistas",
    conversations: "Conversaciones",
    settings: "Ajustes",
    name: "Nombre",
    role: "Rol",
    save: "Guardar",
    channel_key: "Clave del canal",
    load: "Cargar",
    err_admin_forbidden: "Solo los administradores pueden cambiar los ajustes. Inicia sesión como administrador.",
    err_admin_failed: "El servidor no pudo hacerlo. Inténtalo de nuevo.",

    weekdays: [
        "Lunes",
        "Martes",
        "Miércoles",
        "Jueves",
        "Viernes",
        "Sábado",
        "Domingo",
    ],

    setup_hint_title: "Aún no hay cuentas",
    setup_hint_run: "Este Canal aún no tiene cuentas. En el servidor, ejecuta:",
    setup_hint_then: "y después entra aquí con la contraseña que muestra.",

    channel: "Canal",


    message_log: "Historial",
    log_filters: "Filtrar el historial de conversaciones",
    any_channel: "Cualquier canal",
    any_agent: "Cualquier agente",
    log_status: "Estado",
    any_status: "Cualquier estado",
    status_open: "Abierta",
    status_closed: "Cerrada",
    from_day: "Desde",
    to_day: "Hasta",
    show: "Mostrar",
    clear_filters: "Quitar los filtros",
    loading_log: "Cargando el historial…",
    log_caption: "Conversaciones, de la más reciente a la más antigua",
    log_started: "Inicio",
    log_rating: "Valoración",
    deleted_marker: " (eliminado)",
    log_empty: "Aún no hay conversaciones.",
    log_none_match: "Ninguna conversación coincide con estos filtros.",
    show_more: "Mostrar más",
    back_to_log: "Volver al historial",
    not_rated: "sin valorar",
    nobody: "Nadie",
    search: "Buscar",
    search_hint: "Una palabra de los mensajes, o el nombre o el correo del visitante (3 caracteres o más)",
    any_unanswered: "Con o sin respuesta",
    unanswered_only: "Solo sin respuesta",
    answered_only: "Solo con respuesta",
    any_rating: "Cualquier valoración",
    rating_none: "Sin valorar",
    labels: "Etiquetas",
    any_label: "Cualquier etiqueta",
    no_labels: "Aún no hay etiquetas: un administrador las crea en Ajustes.",
    err_label: "No se pudo cambiar la etiqueta. Inténtalo de nuevo.",
    err_date: "Escribe los días como AAAA-MM-DD.",
    err_date_range: "El primer día no puede ser posterior al último.",
    canned_title: "Respuestas rápidas",
    canned_hint: "Los agentes escriben / y el código en el cuadro de respuesta. {name} es el nombre del visitante y {agent} el del agente.",
    loading_canned: "Cargando las respuestas rápidas…",
    no_canned: "Aún no hay respuestas rápidas.",
    canned_code: "Código",
    canned_text: "Texto",
    canned_add: "Añadir la respuesta",
    canned_added: "Añadida.",
    canned_saved: "Guardada.",
    canned_delete: "Eliminar",
    canned_deleted: "Eliminada.",
    canned_menu: "Respuestas rápidas",
    canned_choices: "Respuestas rápidas: flechas para elegir, Intro para insertar, Escape para cerrar",
    canned_no_match: "Ninguna respuesta rápida tiene ese código.",
    alerts: "Avisos",
    private_note: "Nota privada",
    note_placeholder: "Una nota solo para los agentes: el visitante nunca la ve",
    add_note: "Añadir nota",
    alert_sound: "Sonido cuando la consola no está a la vista",
    alert_desktop: "Notificación de escritorio cuando la consola no está a la vista",
    alert_title: "Contar ofertas y mensajes sin leer en el título de la pestaña",
    alert_allow: "Permitir notificaciones de escritorio",
    alert_blocked: "Este navegador bloquea las notificaciones de la consola; permítelas en la configuración del sitio.",
    alert_offer: "Nueva conversación ofrecida",
    alert_message: "Nuevo mensaje de un visitante",
    unanswered: "Sin respuesta",
    only_unanswered: "Solo sin respuesta",
    overdue_title: "Respuestas atrasadas",
    overdue_default: "#OPERATOR# no ha respondido a tiempo en la conversación #DIALOG#.",
    reports: "Informes",
    first_response: "Respuesta inicial",
    total_response: "Respuesta total",
    average_response: "Respuesta promedio",
    max_response: "Respuesta máxima",
    responses: "Respuestas",
    likes: "Me gusta",
    dislikes: "No me gusta",
    export_csv: "Exportar CSV",
    transcript: "Transcripción",
};

/// Russian (the agent is addressed with "вы").
pub static RU: Strings = Strings {
    lang: "ru",
    native_name: "Русский",
    language: "Язык",
    app_name: "Консоль Canal",
    loading: "Загрузка…",

    sign_in_title: "Вход",
    sign_in_lead: "Отвечайте посетителям вашего сайта.",
    email: "Эл. почта",
    password: "Пароль",
    sign_in: "Войти",
    signing_in: "Входим…",
    err_credentials: "Неверная почта или пароль.",
    err_login_invalid: "Введите адрес почты и пароль.",
    err_too_many: "Слишком много попыток. Подождите минуту и попробуйте снова.",
    err_network: "Нет связи с сервером. Проверьте подключение и попробуйте ещё раз.",
    err_server: "Сервер не смог выполнить вход. Попробуйте чуть позже.",
    err_session_over: "Сеанс завершён. Войдите снова.",
    err_sign_out: "Не удалось выйти. Проверьте подключение и попробуйте ещё раз.",

    sign_out: "Выйти",
    connecting: "Подключение…",
    connected: "Подключено",
    reconnecting: "Переподключение…",
    retry_now: "Повторить сейчас",
    status_label: "Принимать новые диалоги",
    online: "В сети",
    away: "Нет на месте",
    offline: "Не в сети",

    inbox: "Входящие",
    offered_to_me: "Предложены мне",
    mine: "Мои",
    queue: "Очередь",
    others: "У коллег",
    none_offered: "Предложений пока нет.",
    none_mine: "У вас нет диалогов.",
    none_waiting: "Никто не ждёт.",
    none_others: "У коллег нет диалогов.",
    take: "Взять",
    decline: "Отклонить",
    passes_on_in: "Перейдёт дальше через",
    new_message: "новое",
    new_messages: "новых",
    no_messages_yet: "Сообщений пока нет",

    pick_conversation: "Выберите диалог во входящих.",
    loading_conversation: "Загрузка диалога…",
    standing_offered: "Предложен вам",
    standing_mine: "Ваш",
    standing_waiting: "Ждёт в очереди",
    rating: "Оценка посетителя",
    rated_like: "👍 хорошо",
    rated_dislike: "👎 плохо",
    withdrawn: "Посетитель отозвал согласие: от него больше ничего не собирается",
    standing_others: "У коллеги",
    standing_closed: "Закрыт",
    standing_gone: "Больше нет во входящих",
    started: "Начат в",
    page: "Страница",
    page_now: "Сейчас на",
    open_in_connector: "Открыть в приложении мессенджера",
    messages: "Сообщения",
    visitor: "Посетитель",
    agent: "Оператор",
    system: "Система",
    pending: "Отправка…",
    failed: "Не отправлено",
    transfer_to: "Передать",
    choose_target: "Выберите…",
    back_to_queue: "Вернуть в очередь",
    transfer: "Передать",
    close_conversation: "Закрыть диалог",
    reply_label: "Ответ",
    reply_placeholder: "Напишите ответ…",
    send: "Отправить",
    reply_hint: "Enter — отправить, Shift+Enter — новая строка.",
    err_reply_long: "Ответ слишком длинный.",
    err_reply_not_yours: "Отвечать может только оператор, который ведёт диалог.",
    err_no_crypto: "Этот браузер не может отправлять ответы (нет надёжных случайных чисел).",
    routing_log: "Журнал распределения",
    customer: "Клиент",
    crm_unknown: "Клиента ещё нет в CRM.",
    crm_no_name: "Без имени",
    responsible: "Ответственный",
    crm_records: "Лиды и сделки",
    crm_open: "Открыта",
    crm_won: "Выиграна",
    crm_lost: "Проиграна",
    crm_livechat: "Чат на сайте",
    crm_form: "Форма обратной связи",
    crm_messenger: "Мессенджер",
    crm_api: "API",
    crm_grant: "Дано",
    crm_withdraw: "Отозвано",
    crm_lead: "Лид",
    crm_deal: "Сделка",
    crm_conversations: "Диалоги",
    crm_messages: "Сообщений",
    crm_consents: "Согласия",
    save_to_crm: "Сохранить в CRM",
    routing_log_empty: "Решений о распределении пока нет.",
    holding: "в работе:",
    actions: "Действия с диалогом",
    role_agent: "Оператор",
    role_supervisor: "Супервайзер",
    role_admin: "Администратор",

    dismiss: "Скрыть",
    refused_routing: "Уже невозможно: диалог взят, передан дальше или закрыт.",
    refused_forbidden: "Ваша роль этого не позволяет.",
    refused_too_large: "Слишком большой объём для отправки.",
    refused_invalid: "Сервер этого не принял.",
    refused_unknown: "Такого диалога нет (или уже нет).",
    refused_internal: "Сбой на сервере; ничего не изменилось. Попробуйте ещё раз.",
    refused_other: "Сервер отказал; ничего не изменилось.",
    closed_read_only: "Диалог закрыт. Его историю можно только читать.",
    visitor_typing: "Посетитель печатает…",
    typing_short: "печатает…",
    visitor_draft: "Печатает сейчас, не отправлено:",

    views: "Разделы",
    conversations: "Диалоги",
    settings: "Настройки",
    name: "Имя",
    role: "Роль",
    save: "Сохранить",
    channel_key: "Ключ канала",
    load: "Загрузить",
    err_admin_forbidden: "Менять настройки могут только администраторы. Войдите как администратор.",
    err_admin_failed: "Сервер не смог это сделать. Попробуйте ещё раз.",

    weekdays: [
        "Понедельник",
        "Вторник",
        "Среда",
        "Четверг",
        "Пятница",
        "Суббота",
        "Воскресенье",
    ],

    setup_hint_title: "Учётных записей пока нет",
    setup_hint_run: "В этом Canal пока нет учётных записей. На сервере выполните:",
    setup_hint_then: "и войдите здесь с паролем, который выведет команда.",

    channel: "Канал",

    message_log: "Журнал диалогов",
    log_filters: "Фильтр журнала диалогов",
    any_channel: "Все каналы",
    any_agent: "Все операторы",
    log_status: "Статус",
    any_status: "Любой статус",
    status_open: "Открыт",
    status_closed: "Закрыт",
    from_day: "Дата с",
    to_day: "Дата по",
    show: "Показать",
    clear_filters: "Сбросить фильтры",
    loading_log: "Загрузка журнала диалогов…",
    log_caption: "Диалоги, сначала новые",
    log_started: "Начало",
    log_rating: "Оценка",
    deleted_marker: " (удалён)",
    log_empty: "Диалогов пока нет.",
    log_none_match: "Ни один диалог не подходит под эти фильтры.",
    show_more: "Показать ещё",
    back_to_log: "Назад к журналу",
    not_rated: "без оценки",
    nobody: "Никто",
    search: "Поиск",
    search_hint: "Слово из сообщений, имя или e-mail посетителя (от 3 символов)",
    any_unanswered: "С ответом и без",
    unanswered_only: "Только без ответа",
    answered_only: "Только с ответом",
    any_rating: "Любая оценка",
    rating_none: "Без оценки",
    labels: "Метки",
    any_label: "Любая метка",
    no_labels: "Меток пока нет: их создаёт администратор в настройках.",
    err_label: "Не удалось изменить метку. Попробуйте ещё раз.",
    err_date: "Укажите дни в формате ГГГГ-ММ-ДД.",
    err_date_range: "Первый день не может быть позже последнего.",
    canned_title: "Шаблоны ответов",
    canned_hint:
        "Агенты набирают / и код в поле ответа. {name} — имя посетителя, {agent} — имя агента.",
    loading_canned: "Загружаем шаблоны ответов…",
    no_canned: "Шаблонов ответов пока нет.",
    canned_code: "Код",
    canned_text: "Текст",
    canned_add: "Добавить шаблон",
    canned_added: "Добавлено.",
    canned_saved: "Сохранено.",
    canned_delete: "Удалить",
    canned_deleted: "Удалено.",
    canned_menu: "Шаблоны ответов",
    canned_choices: "Шаблоны ответов: стрелки — выбор, Enter — вставить, Escape — закрыть",
    canned_no_match: "Нет шаблона с таким кодом.",
    alerts: "Оповещения",
    private_note: "Личная заметка",
    note_placeholder: "Заметка только для сотрудников: посетитель её не видит",
    add_note: "Добавить заметку",
    alert_sound: "Звук, когда консоль не на экране",
    alert_desktop: "Уведомление на рабочем столе, когда консоль не на экране",
    alert_title: "Показывать число предложений и непрочитанных сообщений в заголовке вкладки",
    alert_allow: "Разрешить уведомления на рабочем столе",
    alert_blocked: "Браузер блокирует уведомления консоли; разрешите их в настройках сайта.",
    alert_offer: "Предложен новый диалог",
    alert_message: "Новое сообщение от посетителя",
    unanswered: "Без ответа",
    only_unanswered: "Только без ответа",
    overdue_title: "Просроченные ответы",
    overdue_default: "#OPERATOR# не ответил(а) вовремя в диалоге #DIALOG#.",
    reports: "Отчёты",
    first_response: "Первый ответ",
    total_response: "Общее время ответа",
    average_response: "Среднее время ответа",
    max_response: "Максимальное время ответа",
    responses: "Ответы",
    likes: "Нравится",
    dislikes: "Не нравится",
    export_csv: "Экспорт CSV",
    transcript: "Стенограмма",
};

impl Strings {
    /// The admin pages' texts in this table's language. Only the full console's
    /// code calls it, so only that build carries the [`Admin`] tables.
    pub fn admin(&self) -> &'static Admin {
        match self.lang {
            "es" => &ADMIN_ES,
            "ru" => &ADMIN_RU,
            _ => &ADMIN_EN,
        }
    }

    /// The login form's message for a failed sign-in.
    pub fn login_error(error: &ApiError) -> Text {
        match error {
            ApiError::Network => |t| t.err_network,
            e if e.is_unauthorized() => |t| t.err_credentials,
            ApiError::Status { status: 429, .. } => |t| t.err_too_many,
            ApiError::Status { status, .. } if (400..500).contains(status) => {
                |t| t.err_login_invalid
            }
            _ => |t| t.err_server,
        }
    }

    /// The notice for a refused socket frame.
    pub fn refusal(&self, code: ErrorCode) -> &'static str {
        match code {
            ErrorCode::RoutingRefused => self.refused_routing,
            ErrorCode::Forbidden | ErrorCode::Unauthorized | ErrorCode::NotAuthenticated => {
                self.refused_forbidden
            }
            ErrorCode::TooLarge => self.refused_too_large,
            ErrorCode::BadRequest | ErrorCode::UnknownField | ErrorCode::InvalidField => {
                self.refused_invalid
            }
            ErrorCode::UnknownConversation | ErrorCode::NotFound => self.refused_unknown,
            ErrorCode::Internal => self.refused_internal,
            _ => self.refused_other,
        }
    }

    /// What a settings form says when the server (or the network) failed it:
    /// the server's own sentence when it sent one.
    pub fn admin_error(error: &ApiError) -> Message {
        match error {
            ApiError::Status {
                message: Some(message),
                ..
            } if !message.trim().is_empty() => Message::Said(message.clone()),
            ApiError::Network => Message::Text(|t| t.err_network),
            ApiError::Status {
                status: 401 | 403, ..
            } => Message::Text(|t| t.err_admin_forbidden),
            _ => Message::Text(|t| t.err_admin_failed),
        }
    }

    /// What a settings form says when it was not sent.
    pub fn form_error(error: FormError) -> Text {
        match error {
            FormError::Missing => |t| t.admin().err_agent_missing,
            FormError::Cap => |t| t.admin().err_cap,
            FormError::PassAfter => |t| t.admin().err_pass_after,
            FormError::Ranges => |t| t.admin().err_ranges,
            FormError::TimeZone => |t| t.admin().err_time_zone,
            FormError::ChannelName => |t| t.admin().err_channel_name,
            FormError::ChannelKey => |t| t.admin().err_channel_key,
            FormError::Date | FormError::DateRange => Self::date_error(error),
            FormError::BanMissing => |t| t.admin().err_ban_missing,
            FormError::Canned => |t| t.admin().err_canned,
            FormError::Color => |t| t.admin().err_color,
            FormError::LauncherText => |t| t.admin().err_launcher_text,
            FormError::Window => |t| t.admin().err_window,
        }
    }

    /// What the conversation list's period filter says when a day is wrong: the
    /// list's only form errors, apart from [`Strings::form_error`] so that the
    /// agents' console, which has the list, does not carry the admin forms' texts.
    pub fn date_error(error: FormError) -> Text {
        match error {
            FormError::DateRange => |t| t.err_date_range,
            _ => |t| t.err_date,
        }
    }

    /// "3 new" after an inbox line's unread count.
    pub fn unread(&self, count: u32) -> String {
        // Russian says "1 новое", "21 новое", but "11 новых"; the other tables
        // have one word for every count.
        let word = if count % 10 == 1 && count % 100 != 11 {
            self.new_message
        } else {
            self.new_messages
        };
        format!("{count} {word}")
    }

    pub fn routing_mode(&self, mode: RoutingMode) -> &'static str {
        match mode {
            RoutingMode::Evenly => self.admin().mode_evenly,
            RoutingMode::Strict => self.admin().mode_strict,
            RoutingMode::All => self.admin().mode_all,
        }
    }

    pub fn display_mode_name(&self, mode: DisplayMode) -> &'static str {
        match mode {
            DisplayMode::Profile => self.admin().display_profile,
            DisplayMode::Channel => self.admin().display_channel,
            DisplayMode::Hidden => self.admin().display_hidden,
        }
    }

    /// An inbox section's heading.
    pub fn section(&self, kind: InboxKind) -> &'static str {
        match kind {
            InboxKind::Offered => self.offered_to_me,
            InboxKind::Mine => self.mine,
            InboxKind::Waiting => self.queue,
            InboxKind::Others => self.others,
            InboxKind::Closed => self.standing_closed,
        }
    }

    /// What an empty inbox section says.
    pub fn empty_section(&self, kind: InboxKind) -> &'static str {
        match kind {
            InboxKind::Offered => self.none_offered,
            InboxKind::Mine => self.none_mine,
            InboxKind::Waiting => self.none_waiting,
            InboxKind::Others | InboxKind::Closed => self.none_others,
        }
    }

    /// A CRM record's kind (`lead`, `deal`) in words.
    /// A CRM or consent code (a record's status, a source, a consent's action) in
    /// words; a code this console does not know, as it came.
    pub fn crm_code<'a>(&'a self, code: &'a str) -> &'a str {
        match code {
            "open" => self.crm_open,
            "won" => self.crm_won,
            "lost" => self.crm_lost,
            "livechat" => self.crm_livechat,
            "form" => self.crm_form,
            "messenger" => self.crm_messenger,
            "api" => self.crm_api,
            "grant" => self.crm_grant,
            "withdraw" => self.crm_withdraw,
            other => other,
        }
    }

    pub fn crm_kind(&self, kind: &str) -> &'static str {
        match kind {
            "lead" => self.crm_lead,
            _ => self.crm_deal,
        }
    }

    pub fn status(&self, status: Status) -> &'static str {
        match status {
            Status::Online => self.online,
            Status::Away => self.away,
            Status::Offline => self.offline,
        }
    }

    pub fn role(&self, role: Role) -> &'static str {
        match role {
            Role::Agent => self.role_agent,
            Role::Supervisor => self.role_supervisor,
            Role::Admin => self.role_admin,
        }
    }
}

/// The texts only the full console's admin pages show (settings, automation,
/// bans, CRM settings, reports): kept apart from [`Strings`] so that the agents'
/// console, which never draws those pages, does not carry them. Reached through
/// [`Strings::admin`].
#[derive(Debug)]
pub struct Admin {
    /// The tag of the [`Strings`] table this one goes with.
    pub lang: &'static str,
    pub crm_check_customer: &'static str,
    pub crm_tracker: &'static str,
    pub crm_mode: &'static str,
    pub crm_mode_none: &'static str,
    pub crm_create_automatically: &'static str,
    pub crm_change_responsible: &'static str,
    pub crm_region: &'static str,
    pub crm_field_map: &'static str,
    pub crm_map_source: &'static str,
    pub crm_map_field: &'static str,
    pub crm_map_value: &'static str,
    pub crm_utm: &'static str,
    pub agents_title: &'static str,
    pub agents_caption: &'static str,
    pub loading_agents: &'static str,
    pub cap: &'static str,
    pub cap_hint: &'static str,
    pub dismissed: &'static str,
    pub saving: &'static str,
    pub saved: &'static str,
    pub nothing_to_save: &'static str,
    pub new_agent: &'static str,
    pub create_agent: &'static str,
    pub agent_created: &'static str,
    pub routing_title: &'static str,
    pub loading_routing: &'static str,
    /// Before the channel key of the form: "Routing of demo".
    pub routing_of: &'static str,
    pub mode: &'static str,
    pub mode_evenly: &'static str,
    pub mode_strict: &'static str,
    pub mode_all: &'static str,
    pub pass_after: &'static str,
    pub pass_after_hint: &'static str,
    pub check_online: &'static str,
    pub exclusions: &'static str,
    pub excl_answered: &'static str,
    pub excl_waiting: &'static str,
    pub excl_rating: &'static str,
    pub display_mode: &'static str,
    pub display_profile: &'static str,
    pub display_channel: &'static str,
    pub display_hidden: &'static str,
    pub no_agent_reply: &'static str,
    pub no_agent_reply_hint: &'static str,
    pub routing_queue: &'static str,
    pub queue_empty: &'static str,
    pub add_to_queue: &'static str,
    pub add: &'static str,
    pub move_up: &'static str,
    pub move_down: &'static str,
    pub remove: &'static str,
    pub department: &'static str,
    /// After a bot's name in the agents table.
    pub bot: &'static str,
    pub err_agent_missing: &'static str,
    pub err_cap: &'static str,
    pub err_pass_after: &'static str,
    pub hours_title: &'static str,
    pub loading_hours: &'static str,
    /// Before the channel key of the form: "Working hours of demo".
    pub hours_of: &'static str,
    pub always_open: &'static str,
    pub open_now: &'static str,
    pub closed_now: &'static str,
    pub time_zone: &'static str,
    pub time_zone_hint: &'static str,
    pub day_hint: &'static str,
    pub holidays: &'static str,
    pub holidays_hint: &'static str,
    pub out_of_hours_reply: &'static str,
    pub out_of_hours_reply_hint: &'static str,
    pub remove_hours: &'static str,
    pub hours_removed: &'static str,
    pub err_ranges: &'static str,
    pub err_time_zone: &'static str,
    pub channels_title: &'static str,
    pub channels_caption: &'static str,
    pub loading_channels: &'static str,
    pub no_channels: &'static str,
    pub channel_on: &'static str,
    pub channel_off: &'static str,
    /// After a switched-off channel's name in the picker.
    pub channel_off_marker: &'static str,
    pub new_channel: &'static str,
    pub create_channel: &'static str,
    pub channel_created: &'static str,
    pub channel_key_hint: &'static str,
    pub chat_title: &'static str,
    pub chat_title_hint: &'static str,
    pub greeting: &'static str,
    pub greeting_hint: &'static str,
    pub greeting_en: &'static str,
    pub greeting_es: &'static str,
    pub greeting_ru: &'static str,
    pub greeting_lang_hint: &'static str,
    pub widget_language: &'static str,
    pub visitor_language: &'static str,
    pub allowed_sites: &'static str,
    pub allowed_sites_hint: &'static str,
    pub channel_active: &'static str,
    /// Before the channel key of the form: "Settings of demo".
    pub channel_of: &'static str,
    pub snippet: &'static str,
    pub snippet_hint: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub copy_selected: &'static str,
    pub delete_channel: &'static str,
    pub delete_question: &'static str,
    pub delete_confirm: &'static str,
    pub cancel: &'static str,
    pub channel_deleted: &'static str,
    pub err_channel_name: &'static str,
    pub err_channel_key: &'static str,
    pub managers: &'static str,
    pub managers_hint: &'static str,
    pub no_supervisors: &'static str,
    /// After a manager who is no longer a supervisor.
    pub not_supervisor: &'static str,
    pub save_managers: &'static str,
    /// Settings: the labels section.
    pub labels_hint: &'static str,
    pub new_label: &'static str,
    pub add_label: &'static str,
    pub delete_label: &'static str,
    pub loading_labels: &'static str,
    pub bans_title: &'static str,
    pub bans_caption: &'static str,
    pub loading_bans: &'static str,
    pub no_bans: &'static str,
    pub show_all_bans: &'static str,
    pub ban_target: &'static str,
    pub ban_target_hint: &'static str,
    pub ban_reason: &'static str,
    pub ban_reason_hint: &'static str,
    pub ban_for: &'static str,
    pub for_hours_1: &'static str,
    pub for_hours_24: &'static str,
    pub for_days_7: &'static str,
    pub for_days_30: &'static str,
    pub until_lifted: &'static str,
    pub ban_submit: &'static str,
    pub ban_visitor: &'static str,
    pub banned: &'static str,
    pub ban_by: &'static str,
    pub ban_since: &'static str,
    pub ban_until: &'static str,
    pub ban_lift: &'static str,
    pub ban_lifted: &'static str,
    pub ban_expired: &'static str,
    pub err_ban_missing: &'static str,
    pub err_canned: &'static str,
    pub agreement_title: &'static str,
    pub loading_agreement: &'static str,
    pub chat_agreement: &'static str,
    pub chat_agreement_hint: &'static str,
    pub no_agreement: &'static str,
    pub form_title: &'static str,
    pub loading_form: &'static str,
    pub phone: &'static str,
    pub ask_no: &'static str,
    pub ask_optional: &'static str,
    pub ask_required: &'static str,
    pub form_agreements: &'static str,
    pub form_ask_in_chat: &'static str,
    pub form_ask_in_chat_hint: &'static str,
    pub no_agreements: &'static str,
    pub theme_title: &'static str,
    pub loading_theme: &'static str,
    pub theme_mode: &'static str,
    pub mode_auto: &'static str,
    pub mode_light: &'static str,
    pub mode_dark: &'static str,
    pub accent: &'static str,
    pub accent_code: &'static str,
    pub accent_hint: &'static str,
    pub launcher_side: &'static str,
    pub side_right: &'static str,
    pub side_left: &'static str,
    pub launcher_text: &'static str,
    pub launcher_text_hint: &'static str,
    pub theme_saved: &'static str,
    pub identity_title: &'static str,
    pub loading_identity: &'static str,
    pub identity_enforced: &'static str,
    pub identity_window: &'static str,
    pub identity_window_hint: &'static str,
    pub has_secret: &'static str,
    pub no_secret: &'static str,
    pub new_secret: &'static str,
    pub secret_made: &'static str,
    pub secret_label: &'static str,
    pub secret_warning: &'static str,
    pub err_color: &'static str,
    pub err_launcher_text: &'static str,
    pub err_window: &'static str,
    pub automation_title: &'static str,
    pub loading_automation: &'static str,
    pub automation_of: &'static str,
    pub unanswered_after: &'static str,
    pub unanswered_after_hint: &'static str,
    pub auto_close_after: &'static str,
    pub auto_close_after_hint: &'static str,
    pub auto_close_text: &'static str,
    pub auto_close_text_hint: &'static str,
    pub typing_preview: &'static str,
    pub typing_preview_hint: &'static str,
    pub err_unanswered_minutes: &'static str,
    pub err_auto_close_minutes: &'static str,
    pub err_text_without_close: &'static str,
    pub closing_text: &'static str,
    pub closing_text_hint: &'static str,
    pub rating_ask: &'static str,
    pub rating_wait: &'static str,
    pub rating_wait_hint: &'static str,
    pub close_on_rating: &'static str,
    pub err_rating_wait: &'static str,
    pub kpi_title: &'static str,
    pub kpi_first: &'static str,
    pub kpi_first_hint: &'static str,
    pub kpi_next: &'static str,
    pub kpi_next_hint: &'static str,
    pub kpi_notify: &'static str,
    pub kpi_nobody: &'static str,
    pub kpi_text: &'static str,
    pub kpi_text_hint: &'static str,
    pub err_kpi_minutes: &'static str,
    pub err_kpi_notify: &'static str,
    pub loading_reports: &'static str,
    pub report_agents: &'static str,
    pub report_empty: &'static str,
    pub report_truncated: &'static str,
    pub chart_title: &'static str,
}

/// English: the admin pages' texts.
pub static ADMIN_EN: Admin = Admin {
    lang: "en",
    crm_check_customer: "Check the customer in the CRM",
    crm_tracker: "Chat tracker (phones and e-mails in messages)",
    crm_mode: "A new customer gets",
    crm_mode_none: "Only the contact",
    crm_create_automatically: "Create it automatically",
    crm_change_responsible: "New responsible on transfer",
    crm_region: "Phone region (e.g. ES)",
    crm_field_map: "Fields written on close",
    crm_map_source: "Source",
    crm_map_field: "Field",
    crm_map_value: "Fixed value",
    crm_utm: "The whole UTM string",
    agents_title: "Agents",
    agents_caption: "Every agent, with their role, cap and whether they are dismissed",
    loading_agents: "Loading the agents…",
    cap: "Cap",
    cap_hint: "Most conversations at once; empty for no cap.",
    dismissed: "Dismissed",
    saving: "Saving…",
    saved: "Saved",
    nothing_to_save: "Nothing changed.",
    new_agent: "New agent",
    create_agent: "Create agent",
    agent_created: "Saved: agent created",
    routing_title: "Channel routing",
    loading_routing: "Loading the routing settings…",
    routing_of: "Routing of",
    mode: "Mode",
    mode_evenly: "Evenly: least load first",
    mode_strict: "Strict: in queue order",
    mode_all: "All: everyone at once",
    pass_after: "Pass on after (minutes)",
    pass_after_hint: "1 to 720 minutes.",
    check_online: "Offer only to agents who are online",
    exclusions: "Not counted against an agent's cap",
    excl_answered: "Conversations they have answered",
    excl_waiting: "Conversations waiting for the customer",
    excl_rating: "Closed conversations awaiting a rating",
    display_mode: "What visitors see of the agent",
    display_profile: "The agent's name and avatar",
    display_channel: "The channel's name",
    display_hidden: "No name",
    no_agent_reply: "Auto-reply when nobody can take the conversation",
    no_agent_reply_hint: "Empty: no auto-reply.",
    routing_queue: "Queue",
    queue_empty: "The queue is empty.",
    add_to_queue: "Add to the queue",
    add: "Add",
    move_up: "Move up",
    move_down: "Move down",
    remove: "Remove",
    department: "Department",
    bot: " (bot)",
    err_agent_missing: "Fill in email, name and password.",
    err_cap: "The cap must be a whole number, or empty for no cap.",
    err_pass_after: "Pass on after must be a whole number of minutes from 1 to 720.",
    hours_title: "Working hours",
    loading_hours: "Loading the working hours…",
    hours_of: "Working hours of",
    always_open: "No working hours are set: the channel is always open.",
    open_now: "Open now.",
    closed_now: "Closed now.",
    time_zone: "Time zone",
    time_zone_hint: "An IANA name, e.g. Europe/Madrid or America/New_York.",
    day_hint: "Ranges like 09:00-13:00, 14:00-18:00 (up to 4 a day, 24:00 for midnight); empty: closed.",
    holidays: "Holidays",
    holidays_hint: "Dates closed all day, as YYYY-MM-DD, separated by commas or spaces.",
    out_of_hours_reply: "Reply when a conversation starts out of hours",
    out_of_hours_reply_hint: "Sent once, instead of the no-agent auto-reply. Empty: none (the no-agent auto-reply still applies).",
    remove_hours: "Remove working hours",
    hours_removed: "Removed: the channel is always open",
    err_ranges: "Write each day's hours as ranges like 09:00-13:00, separated by commas.",
    err_time_zone: "Enter the channel's time zone.",
    channels_title: "Channels",
    channels_caption: "Every channel, with its key and whether its chat is on",
    loading_channels: "Loading the channels…",
    no_channels: "No channels yet. Create one below.",
    channel_on: "On",
    channel_off: "Off",
    channel_off_marker: " · switched off",
    new_channel: "New channel",
    create_channel: "Create channel",
    channel_created: "Saved: channel created",
    channel_key_hint: "Optional: 3 to 40 of a-z, 0-9 and -. Made up when empty; it cannot change later.",
    chat_title: "Chat title",
    chat_title_hint: "The chat window's header. Empty: the channel's name.",
    greeting: "Greeting",
    greeting_hint: "The first message visitors see. Empty: none.",
    greeting_en: "Greeting in English",
    greeting_es: "Greeting in Spanish",
    greeting_ru: "Greeting in Russian",
    greeting_lang_hint: "Shown instead of the greeting when the widget speaks this language. Empty: the greeting above.",
    widget_language: "Chat language",
    visitor_language: "The visitor's browser",
    allowed_sites: "Allowed sites",
    allowed_sites_hint: "One origin per line, like https://shop.example. Empty: any site.",
    channel_active: "On: the chat shows on the site",
    channel_of: "Settings of",
    snippet: "Snippet",
    snippet_hint: "Paste it into your site's pages, before </body>.",
    copy: "Copy",
    copied: "Copied",
    copy_selected: "Selected: press Ctrl+C (⌘C) to copy.",
    delete_channel: "Delete channel",
    delete_question: "Delete this channel? Its chat disappears from your site and its key cannot be used again; its conversations are kept.",
    delete_confirm: "Yes, delete",
    cancel: "Cancel",
    channel_deleted: "Deleted: channel removed",
    err_channel_name: "Enter the channel's name.",
    err_channel_key: "A key is 3 to 40 of a-z, 0-9 and inner dashes; or leave it empty.",
    managers: "Managers",
    managers_hint: "The supervisors ticked here may change this channel's settings. Admins always may.",
    no_supervisors: "No supervisors yet: give someone the Supervisor role under Agents.",
    not_supervisor: " (no longer a supervisor)",
    save_managers: "Save managers",
    labels_hint: "Agents set labels on conversations; the conversation list shows them and filters by them. Deleting a label takes it off every conversation.",
    new_label: "New label",
    add_label: "Add label",
    delete_label: "Delete",
    loading_labels: "Loading the labels…",
    bans_title: "Bans",
    bans_caption: "Addresses, networks and visitors refused by the chat",
    loading_bans: "Loading the bans…",
    no_bans: "Nobody is banned.",
    show_all_bans: "Show lifted and expired bans too",
    ban_target: "Address, network or visitor",
    ban_target_hint: "An address (203.0.113.7), a network (203.0.113.0/24) or a visitor's id from the message log.",
    ban_reason: "Reason",
    ban_reason_hint: "Only admins see it; the visitor is told that the chat is not available.",
    ban_for: "For",
    for_hours_1: "1 hour",
    for_hours_24: "1 day",
    for_days_7: "7 days",
    for_days_30: "30 days",
    until_lifted: "Until lifted",
    ban_submit: "Ban",
    ban_visitor: "Ban this visitor",
    banned: "Banned. Nothing more of theirs is stored.",
    ban_by: "By",
    ban_since: "Since",
    ban_until: "Until",
    ban_lift: "Lift",
    ban_lifted: "Lifted",
    ban_expired: "Expired",
    err_ban_missing: "Say what to ban and why.",
    err_canned: "Give a code (a-z, 0-9, - and _, up to 32) and a text.",
    agreement_title: "Agreement",
    loading_agreement: "Loading the agreement…",
    chat_agreement: "Agreement the chat asks for",
    chat_agreement_hint: "The visitor accepts it before the first message. Only personal-data agreements; make them with the admin API.",
    no_agreement: "None: the chat asks no consent",
    form_title: "Contact form",
    loading_form: "Loading the contact form…",
    phone: "Phone",
    ask_no: "Not asked",
    ask_optional: "Optional",
    ask_required: "Required",
    form_agreements: "Agreements the form shows as checkboxes",
    form_ask_in_chat: "Ask for contact details in the chat after the visitor's first message",
    form_ask_in_chat_hint: "Off: the form waits in the chat, behind a link the visitor may open.",
    no_agreements: "No agreements yet: make them with the admin API.",
    theme_title: "Look",
    loading_theme: "Loading the look…",
    theme_mode: "Colours",
    mode_auto: "The visitor's system",
    mode_light: "Light",
    mode_dark: "Dark",
    accent: "Accent colour",
    accent_code: "Accent colour code",
    accent_hint: "#rrggbb; empty: Canal's blue",
    launcher_side: "Launcher side",
    side_right: "Right",
    side_left: "Left",
    launcher_text: "Launcher text",
    launcher_text_hint: "Up to 40 characters; empty: “Chat” in the visitor's language",
    theme_saved: "Saved: the snippet above shows the new look",
    identity_title: "Identity verification",
    loading_identity: "Loading identity verification…",
    identity_enforced: "Refuse identities without a valid signature",
    identity_window: "Signature valid for (seconds)",
    identity_window_hint: "60 to 604800 (7 days)",
    has_secret: "The channel has a secret (shown only when it was made).",
    no_secret: "No secret yet: make one before enforcing verification.",
    new_secret: "Make a new secret",
    secret_made: "New secret made",
    secret_label: "New secret",
    secret_warning: "Copy it now: it is shown only this once. It has replaced the old secret: signatures made with the old one no longer pass.",
    err_color: "Enter the accent as #rrggbb, or leave it empty.",
    err_launcher_text: "The launcher text may have up to 40 characters.",
    err_window: "Enter a whole number of seconds from 60 to 604800.",
    automation_title: "Automatic actions",
    loading_automation: "Loading the automatic actions…",
    automation_of: "Automatic actions of",
    unanswered_after: "Mark unanswered after (minutes)",
    unanswered_after_hint: "When no agent has answered the visitor for this long, the conversation is marked unanswered in the inbox until an agent answers. Empty: never.",
    auto_close_after: "Close after the visitor's silence (minutes)",
    auto_close_after_hint: "Counted from the agent's last message, while the visitor has not written since. Empty: never.",
    auto_close_text: "Closing message",
    auto_close_text_hint: "The visitor sees it as the last message when the conversation closes so. Empty: none.",
    typing_preview: "Live typing preview: agents see what the visitor types before it is sent",
    typing_preview_hint: "Off by default. The visitor is told before they type; drafts are never stored. Turning it off stops them at once.",
    err_unanswered_minutes: "Mark unanswered after: a whole number of minutes from 1 to 1440, or empty.",
    err_auto_close_minutes: "Close after silence: a whole number of minutes from 1 to 10080, or empty.",
    err_text_without_close: "A closing message needs a time to close after.",
    closing_text: "Message when an agent closes",
    closing_text_hint: "The visitor sees it as the last message when an agent closes the conversation. Empty: none.",
    rating_ask: "Ask the visitor to rate the conversation once it is closed",
    rating_wait: "Wait for the rating before closing fully (minutes)",
    rating_wait_hint: "0 to 60. Meanwhile the conversation is closed, awaiting the rating, and counts against the agent's limit as the queue settings say. Empty or 0: it closes fully at once, and a rating that comes after the full close opens the conversation again.",
    close_on_rating: "Close fully as soon as the visitor rates",
    err_rating_wait: "Wait for the rating: a whole number of minutes from 0 to 60, or empty.",
    kpi_title: "Response-time KPIs",
    kpi_first: "First response within (minutes)",
    kpi_first_hint: "From the visitor's first message to the first agent answer. Only time while the channel is open counts. Empty: no limit.",
    kpi_next: "Each later response within (minutes)",
    kpi_next_hint: "From each later visitor message to the next agent answer. Empty: no limit.",
    kpi_notify: "Send a notice when a response is overdue to",
    kpi_nobody: "Nobody (no notices)",
    kpi_text: "Notice text",
    kpi_text_hint: "#OPERATOR#: the agent's name; #DIALOG#: the conversation, as a link. Empty: the default text.",
    err_kpi_minutes: "KPI limits: a whole number of minutes from 1 to 1440, or empty.",
    err_kpi_notify: "Notices need a first or later response limit.",
    loading_reports: "Loading the reports…",
    report_agents: "Agents",
    report_empty: "No conversations started in this period.",
    report_truncated: "Only the first 10,000 conversations are shown: choose a shorter period.",
    chart_title: "Average response time per day",
};

/// Spanish: the admin pages' texts.
pub static ADMIN_ES: Admin = Admin {
    lang: "es",
    crm_check_customer: "Comprobar el cliente en el CRM",
    crm_tracker: "Rastreador (teléfonos y correos en mensajes)",
    crm_mode: "Un cliente nuevo recibe",
    crm_mode_none: "Solo el contacto",
    crm_create_automatically: "Crearlo automáticamente",
    crm_change_responsible: "Nuevo responsable al transferir",
    crm_region: "Región de teléfonos (p. ej. ES)",
    crm_field_map: "Campos escritos al cerrar",
    crm_map_source: "Origen",
    crm_map_field: "Campo",
    crm_map_value: "Valor fijo",
    crm_utm: "Toda la cadena UTM",
    agents_title: "Agentes",
    agents_caption: "Todos los agentes, con su rol, su límite y si están de baja",
    loading_agents: "Cargando los agentes…",
    cap: "Límite",
    cap_hint: "Máximo de conversaciones a la vez; vacío: sin límite.",
    dismissed: "De baja",
    saving: "Guardando…",
    saved: "Guardado",
    nothing_to_save: "No ha cambiado nada.",
    new_agent: "Nuevo agente",
    create_agent: "Crear agente",
    agent_created: "Guardado: agente creado",
    routing_title: "Asignación del canal",
    loading_routing: "Cargando la asignación…",
    routing_of: "Asignación de",
    mode: "Modo",
    mode_evenly: "Equilibrado: primero el menos ocupado",
    mode_strict: "Estricto: en el orden de la cola",
    mode_all: "Todos: a todos a la vez",
    pass_after: "Pasar a otro tras (minutos)",
    pass_after_hint: "De 1 a 720 minutos.",
    check_online: "Ofrecer solo a agentes en línea",
    exclusions: "No cuentan para el límite de un agente",
    excl_answered: "Conversaciones que ya ha respondido",
    excl_waiting: "Conversaciones a la espera del cliente",
    excl_rating: "Conversaciones cerradas pendientes de valoración",
    display_mode: "Qué ven los visitantes del agente",
    display_profile: "El nombre y el avatar del agente",
    display_channel: "El nombre del canal",
    display_hidden: "Ningún nombre",
    no_agent_reply: "Respuesta automática cuando nadie puede atender",
    no_agent_reply_hint: "Vacío: sin respuesta automática.",
    routing_queue: "Cola",
    queue_empty: "La cola está vacía.",
    add_to_queue: "Añadir a la cola",
    add: "Añadir",
    move_up: "Subir",
    move_down: "Bajar",
    remove: "Quitar",
    department: "Departamento",
    bot: " (bot)",
    err_agent_missing: "Rellena el correo, el nombre y la contraseña.",
    err_cap: "El límite debe ser un número entero, o vacío para no limitar.",
    err_pass_after: "«Pasar a otro tras» debe ser un número entero de minutos entre 1 y 720.",
    hours_title: "Horario de atención",
    loading_hours: "Cargando el horario…",
    hours_of: "Horario de",
    always_open: "No hay horario: el canal está siempre abierto.",
    open_now: "Abierto ahora.",
    closed_now: "Cerrado ahora.",
    time_zone: "Zona horaria",
    time_zone_hint: "Un nombre IANA, p. ej. Europe/Madrid o America/New_York.",
    day_hint: "Franjas como 09:00-13:00, 14:00-18:00 (hasta 4 al día; 24:00 es medianoche); vacío: cerrado.",
    holidays: "Festivos",
    holidays_hint: "Días cerrados todo el día, como AAAA-MM-DD, separados por comas o espacios.",
    out_of_hours_reply: "Respuesta cuando una conversación empieza fuera de horario",
    out_of_hours_reply_hint: "Se envía una vez, en lugar de la respuesta automática sin agentes. Vacío: ninguna (la respuesta sin agentes sigue valiendo).",
    remove_hours: "Quitar el horario",
    hours_removed: "Quitado: el canal está siempre abierto",
    err_ranges: "Escribe el horario de cada día como franjas del tipo 09:00-13:00, separadas por comas.",
    err_time_zone: "Escribe la zona horaria del canal.",
    channels_title: "Canales",
    channels_caption: "Todos los canales, con su clave y si su chat está activo",
    loading_channels: "Cargando los canales…",
    no_channels: "Aún no hay canales. Crea uno abajo.",
    channel_on: "Activo",
    channel_off: "Inactivo",
    channel_off_marker: " · desactivado",
    new_channel: "Nuevo canal",
    create_channel: "Crear canal",
    channel_created: "Guardado: canal creado",
    channel_key_hint: "Opcional: de 3 a 40 caracteres a-z, 0-9 y -. Si la dejas vacía se genera; luego no se puede cambiar.",
    chat_title: "Título del chat",
    chat_title_hint: "La cabecera de la ventana del chat. Vacío: el nombre del canal.",
    greeting: "Saludo",
    greeting_hint: "El primer mensaje que ven los visitantes. Vacío: ninguno.",
    greeting_en: "Saludo en inglés",
    greeting_es: "Saludo en español",
    greeting_ru: "Saludo en ruso",
    greeting_lang_hint: "Se muestra en lugar del saludo cuando el widget habla este idioma. Vacío: el saludo de arriba.",
    widget_language: "Idioma del chat",
    visitor_language: "El del navegador del visitante",
    allowed_sites: "Sitios permitidos",
    allowed_sites_hint: "Un origen por línea, como https://shop.example. Vacío: cualquier sitio.",
    channel_active: "Activo: el chat se muestra en el sitio",
    channel_of: "Ajustes de",
    snippet: "Fragmento",
    snippet_hint: "Pégalo en las páginas de tu sitio, antes de </body>.",
    copy: "Copiar",
    copied: "Copiado",
    copy_selected: "Seleccionado: pulsa Ctrl+C (⌘C) para copiar.",
    delete_channel: "Eliminar canal",
    delete_question: "¿Eliminar este canal? Su chat desaparece de tu sitio y su clave no se podrá volver a usar; sus conversaciones se conservan.",
    delete_confirm: "Sí, eliminar",
    cancel: "Cancelar",
    channel_deleted: "Eliminado: canal borrado",
    err_channel_name: "Escribe el nombre del canal.",
    err_channel_key: "La clave tiene de 3 a 40 caracteres a-z, 0-9 y guiones internos; o déjala vacía.",
    managers: "Gestores",
    managers_hint: "Los supervisores marcados aquí pueden cambiar los ajustes de este canal. Los administradores siempre pueden.",
    no_supervisors: "Aún no hay supervisores: da a alguien el rol de supervisor en Agentes.",
    not_supervisor: " (ya no es supervisor)",
    save_managers: "Guardar gestores",
    labels_hint: "Los agentes ponen etiquetas a las conversaciones; la lista de conversaciones las muestra y filtra por ellas. Al eliminar una etiqueta, se quita de todas las conversaciones.",
    new_label: "Nueva etiqueta",
    add_label: "Añadir etiqueta",
    delete_label: "Eliminar",
    loading_labels: "Cargando las etiquetas…",
    bans_title: "Bloqueos",
    bans_caption: "Direcciones, redes y visitantes que el chat rechaza",
    loading_bans: "Cargando los bloqueos…",
    no_bans: "No hay nadie bloqueado.",
    show_all_bans: "Mostrar también los levantados y los vencidos",
    ban_target: "Dirección, red o visitante",
    ban_target_hint: "Una dirección (203.0.113.7), una red (203.0.113.0/24) o el id de un visitante del registro de mensajes.",
    ban_reason: "Motivo",
    ban_reason_hint: "Solo lo ven los administradores; al visitante se le dice que el chat no está disponible.",
    ban_for: "Durante",
    for_hours_1: "1 hora",
    for_hours_24: "1 día",
    for_days_7: "7 días",
    for_days_30: "30 días",
    until_lifted: "Hasta que se levante",
    ban_submit: "Bloquear",
    ban_visitor: "Bloquear a este visitante",
    banned: "Bloqueado. No se guarda nada más suyo.",
    ban_by: "Por",
    ban_since: "Desde",
    ban_until: "Hasta",
    ban_lift: "Levantar",
    ban_lifted: "Levantado",
    ban_expired: "Vencido",
    err_ban_missing: "Indica qué bloquear y por qué.",
    err_canned: "Indica un código (a-z, 0-9, - y _, hasta 32) y un texto.",
    agreement_title: "Acuerdo",
    loading_agreement: "Cargando el acuerdo…",
    chat_agreement: "Acuerdo que pide el chat",
    chat_agreement_hint: "El visitante lo acepta antes del primer mensaje. Solo acuerdos de datos personales; se crean con la API de administración.",
    no_agreement: "Ninguno: el chat no pide consentimiento",
    form_title: "Formulario de contacto",
    loading_form: "Cargando el formulario de contacto…",
    phone: "Teléfono",
    ask_no: "No se pide",
    ask_optional: "Opcional",
    ask_required: "Obligatorio",
    form_agreements: "Acuerdos que el formulario muestra como casillas",
    form_ask_in_chat: "Pedir los datos de contacto en el chat tras el primer mensaje del visitante",
    form_ask_in_chat_hint: "Desactivado: el formulario espera en el chat, tras un enlace que el visitante puede abrir.",
    no_agreements: "Aún no hay acuerdos: créalos con la API de administración.",
    theme_title: "Aspecto",
    loading_theme: "Cargando el aspecto…",
    theme_mode: "Colores",
    mode_auto: "Los del sistema del visitante",
    mode_light: "Claros",
    mode_dark: "Oscuros",
    accent: "Color de acento",
    accent_code: "Código del color de acento",
    accent_hint: "#rrggbb; vacío: el azul de Canal",
    launcher_side: "Lado del botón",
    side_right: "Derecha",
    side_left: "Izquierda",
    launcher_text: "Texto del botón",
    launcher_text_hint: "Hasta 40 caracteres; vacío: «Chat» en el idioma del visitante",
    theme_saved: "Guardado: el fragmento de arriba muestra el nuevo aspecto",
    identity_title: "Verificación de identidad",
    loading_identity: "Cargando la verificación de identidad…",
    identity_enforced: "Rechazar identidades sin una firma válida",
    identity_window: "Validez de la firma (segundos)",
    identity_window_hint: "De 60 a 604800 (7 días)",
    has_secret: "El canal tiene un secreto (solo se mostró al crearlo).",
    no_secret: "Aún no hay secreto: crea uno antes de exigir la verificación.",
    new_secret: "Crear un secreto nuevo",
    secret_made: "Secreto nuevo creado",
    secret_label: "Secreto nuevo",
    secret_warning: "Cópialo ahora: solo se muestra esta vez. Ha sustituido al secreto anterior: las firmas hechas con él ya no valen.",
    err_color: "Escribe el acento como #rrggbb o déjalo vacío.",
    err_launcher_text: "El texto del botón admite hasta 40 caracteres.",
    err_window: "Escribe un número entero de segundos de 60 a 604800.",
    automation_title: "Acciones automáticas",
    loading_automation: "Cargando las acciones automáticas…",
    automation_of: "Acciones automáticas de",
    unanswered_after: "Marcar sin respuesta tras (minutos)",
    unanswered_after_hint: "Si ningún agente ha respondido al visitante en este tiempo, la conversación se marca sin respuesta en la bandeja hasta que un agente responda. Vacío: nunca.",
    auto_close_after: "Cerrar tras el silencio del visitante (minutos)",
    auto_close_after_hint: "Se cuenta desde el último mensaje del agente, mientras el visitante no haya escrito después. Vacío: nunca.",
    auto_close_text: "Mensaje de cierre",
    auto_close_text_hint: "El visitante lo ve como último mensaje cuando la conversación se cierra así. Vacío: ninguno.",
    typing_preview: "Escritura en vivo: los agentes ven lo que el visitante escribe antes de enviarlo",
    typing_preview_hint: "Desactivada por defecto. Se avisa al visitante antes de que escriba; los borradores nunca se guardan. Al desactivarla se detiene al instante.",
    err_unanswered_minutes: "Marcar sin respuesta tras: un número entero de minutos de 1 a 1440, o vacío.",
    err_auto_close_minutes: "Cerrar tras el silencio: un número entero de minutos de 1 a 10080, o vacío.",
    err_text_without_close: "Un mensaje de cierre necesita un tiempo tras el que cerrar.",
    closing_text: "Mensaje cuando un agente cierra",
    closing_text_hint: "El visitante lo ve como último mensaje cuando un agente cierra la conversación. Vacío: ninguno.",
    rating_ask: "Pedir al visitante que evalúe la conversación una vez cerrada",
    rating_wait: "Esperar la evaluación antes del cierre completo (minutos)",
    rating_wait_hint: "De 0 a 60. Mientras tanto la conversación está cerrada, esperando la evaluación, y cuenta en el límite del agente según la configuración de la cola. Vacío o 0: se cierra por completo al momento, y una evaluación que llegue después del cierre completo reabre la conversación.",
    close_on_rating: "Cerrar por completo en cuanto el visitante evalúe",
    err_rating_wait: "Esperar la evaluación: un número entero de minutos de 0 a 60, o vacío.",
    kpi_title: "KPI de tiempo de respuesta",
    kpi_first: "Respuesta inicial en (minutos)",
    kpi_first_hint: "Desde el primer mensaje del visitante hasta la primera respuesta de un agente. Solo cuenta el tiempo en que el canal está abierto. Vacío: sin límite.",
    kpi_next: "Cada respuesta posterior en (minutos)",
    kpi_next_hint: "Desde cada mensaje posterior del visitante hasta la siguiente respuesta. Vacío: sin límite.",
    kpi_notify: "Enviar un aviso de respuesta atrasada a",
    kpi_nobody: "Nadie (sin avisos)",
    kpi_text: "Texto del aviso",
    kpi_text_hint: "#OPERATOR#: el nombre del agente; #DIALOG#: la conversación, como enlace. Vacío: el texto por defecto.",
    err_kpi_minutes: "Límites KPI: un número entero de minutos de 1 a 1440, o vacío.",
    err_kpi_notify: "Los avisos necesitan un límite de respuesta inicial o posterior.",
    loading_reports: "Cargando los informes…",
    report_agents: "Agentes",
    report_empty: "Ninguna conversación empezó en este periodo.",
    report_truncated: "Solo se muestran las primeras 10.000 conversaciones: elige un periodo más corto.",
    chart_title: "Tiempo de respuesta promedio por día",
};

/// Russian: the admin pages' texts.
pub static ADMIN_RU: Admin = Admin {
    lang: "ru",
    crm_check_customer: "Проверять клиента в CRM",
    crm_tracker: "Трекер (телефоны и e-mail в сообщениях)",
    crm_mode: "Новый клиент получает",
    crm_mode_none: "Только контакт",
    crm_create_automatically: "Создавать автоматически",
    crm_change_responsible: "Новый ответственный при передаче",
    crm_region: "Регион телефонов (напр. ES)",
    crm_field_map: "Поля, заполняемые при закрытии",
    crm_map_source: "Источник",
    crm_map_field: "Поле",
    crm_map_value: "Фиксированное значение",
    crm_utm: "Вся строка UTM",
    agents_title: "Операторы",
    agents_caption: "Все операторы: роль, лимит и отключён ли доступ",
    loading_agents: "Загрузка операторов…",
    cap: "Лимит",
    cap_hint: "Сколько диалогов одновременно; пусто — без лимита.",
    dismissed: "Отключён",
    saving: "Сохранение…",
    saved: "Сохранено",
    nothing_to_save: "Ничего не изменилось.",
    new_agent: "Новый оператор",
    create_agent: "Создать оператора",
    agent_created: "Сохранено: оператор создан",
    routing_title: "Распределение по каналу",
    loading_routing: "Загрузка настроек распределения…",
    routing_of: "Распределение канала",
    mode: "Режим",
    mode_evenly: "Равномерно: сначала наименее загруженным",
    mode_strict: "Строго: по порядку очереди",
    mode_all: "Всем: всем сразу",
    pass_after: "Передавать дальше через (минут)",
    pass_after_hint: "От 1 до 720 минут.",
    check_online: "Предлагать только операторам в сети",
    exclusions: "Не учитывать в лимите оператора",
    excl_answered: "Диалоги, на которые он ответил",
    excl_waiting: "Диалоги, ожидающие клиента",
    excl_rating: "Закрытые диалоги, ожидающие оценки",
    display_mode: "Что посетители видят об операторе",
    display_profile: "Имя и аватар оператора",
    display_channel: "Название канала",
    display_hidden: "Без имени",
    no_agent_reply: "Автоответ, когда никто не может взять диалог",
    no_agent_reply_hint: "Пусто — без автоответа.",
    routing_queue: "Очередь",
    queue_empty: "Очередь пуста.",
    add_to_queue: "Добавить в очередь",
    add: "Добавить",
    move_up: "Выше",
    move_down: "Ниже",
    remove: "Убрать",
    department: "Отдел",
    bot: " (бот)",
    err_agent_missing: "Заполните почту, имя и пароль.",
    err_cap: "Лимит — целое число; пусто, если лимита нет.",
    err_pass_after: "«Передавать дальше через» — целое число минут от 1 до 720.",
    hours_title: "Часы работы",
    loading_hours: "Загрузка часов работы…",
    hours_of: "Часы работы канала",
    always_open: "Часы работы не заданы: канал открыт всегда.",
    open_now: "Сейчас открыто.",
    closed_now: "Сейчас закрыто.",
    time_zone: "Часовой пояс",
    time_zone_hint: "Имя IANA, например Europe/Moscow или America/New_York.",
    day_hint: "Интервалы вида 09:00-13:00, 14:00-18:00 (до 4 в день, 24:00 — полночь); пусто — выходной.",
    holidays: "Праздники",
    holidays_hint: "Нерабочие дни в формате ГГГГ-ММ-ДД через запятую или пробел.",
    out_of_hours_reply: "Ответ, когда диалог начинается в нерабочее время",
    out_of_hours_reply_hint: "Отправляется один раз вместо автоответа, когда никто не может взять диалог. Пусто — не отправляется (тот автоответ по-прежнему действует).",
    remove_hours: "Удалить часы работы",
    hours_removed: "Удалено: канал открыт всегда",
    err_ranges: "Укажите часы каждого дня интервалами вида 09:00-13:00 через запятую.",
    err_time_zone: "Укажите часовой пояс канала.",
    channels_title: "Каналы",
    channels_caption: "Все каналы с ключом и состоянием чата",
    loading_channels: "Загрузка каналов…",
    no_channels: "Каналов пока нет. Создайте канал ниже.",
    channel_on: "Вкл.",
    channel_off: "Выкл.",
    channel_off_marker: " · выключен",
    new_channel: "Новый канал",
    create_channel: "Создать канал",
    channel_created: "Сохранено: канал создан",
    channel_key_hint: "Необязательно: от 3 до 40 символов a-z, 0-9 и -. Если пусто, ключ создаётся сам; изменить его потом нельзя.",
    chat_title: "Заголовок чата",
    chat_title_hint: "Заголовок окна чата. Пусто — название канала.",
    greeting: "Приветствие",
    greeting_hint: "Первое сообщение, которое видит посетитель. Пусто — нет.",
    greeting_en: "Приветствие на английском",
    greeting_es: "Приветствие на испанском",
    greeting_ru: "Приветствие на русском",
    greeting_lang_hint: "Показывается вместо приветствия, когда виджет говорит на этом языке. Пусто — приветствие выше.",
    widget_language: "Язык чата",
    visitor_language: "Язык браузера посетителя",
    allowed_sites: "Разрешённые сайты",
    allowed_sites_hint: "Один источник в строке, например https://shop.example. Пусто — любой сайт.",
    channel_active: "Включён: чат показывается на сайте",
    channel_of: "Настройки канала",
    snippet: "Код для вставки",
    snippet_hint: "Вставьте его в страницы сайта перед </body>.",
    copy: "Копировать",
    copied: "Скопировано",
    copy_selected: "Выделено: нажмите Ctrl+C (⌘C), чтобы скопировать.",
    delete_channel: "Удалить канал",
    delete_question: "Удалить этот канал? Чат исчезнет с вашего сайта, а ключ нельзя будет использовать снова; диалоги сохранятся.",
    delete_confirm: "Да, удалить",
    cancel: "Отмена",
    channel_deleted: "Удалено: канал удалён",
    err_channel_name: "Укажите название канала.",
    err_channel_key: "Ключ — от 3 до 40 символов a-z, 0-9 и дефисов внутри; или оставьте его пустым.",
    managers: "Руководители канала",
    managers_hint: "Отмеченные здесь супервайзеры могут менять настройки этого канала. Администраторы могут всегда.",
    no_supervisors: "Супервайзеров пока нет: назначьте кому-нибудь роль «Супервайзер» в разделе «Операторы».",
    not_supervisor: " (уже не супервайзер)",
    save_managers: "Сохранить руководителей",
    labels_hint: "Агенты ставят метки на диалоги; список диалогов показывает их и фильтрует по ним. Удалённая метка снимается со всех диалогов.",
    new_label: "Новая метка",
    add_label: "Добавить метку",
    delete_label: "Удалить",
    loading_labels: "Загрузка меток…",
    bans_title: "Блокировки",
    bans_caption: "Адреса, сети и посетители, которым чат отказывает",
    loading_bans: "Загружаем блокировки…",
    no_bans: "Никто не заблокирован.",
    show_all_bans: "Показать также снятые и истёкшие",
    ban_target: "Адрес, сеть или посетитель",
    ban_target_hint: "Адрес (203.0.113.7), сеть (203.0.113.0/24) или id посетителя из журнала сообщений.",
    ban_reason: "Причина",
    ban_reason_hint: "Её видят только администраторы; посетителю чат сообщит, что он недоступен.",
    ban_for: "Срок",
    for_hours_1: "1 час",
    for_hours_24: "1 день",
    for_days_7: "7 дней",
    for_days_30: "30 дней",
    until_lifted: "Пока не снимут",
    ban_submit: "Заблокировать",
    ban_visitor: "Заблокировать посетителя",
    banned: "Заблокировано. Больше ничего от него не сохраняется.",
    ban_by: "Кто",
    ban_since: "С",
    ban_until: "До",
    ban_lift: "Снять",
    ban_lifted: "Снята",
    ban_expired: "Истекла",
    err_ban_missing: "Укажите, что заблокировать и почему.",
    err_canned: "Укажите код (a-z, 0-9, - и _, до 32 знаков) и текст.",
    agreement_title: "Соглашение",
    loading_agreement: "Загрузка соглашения…",
    chat_agreement: "Соглашение, которое запрашивает чат",
    chat_agreement_hint: "Посетитель принимает его до первого сообщения. Только соглашения о персональных данных; их создают через API администратора.",
    no_agreement: "Нет: чат не запрашивает согласие",
    form_title: "Контактная форма",
    loading_form: "Загрузка контактной формы…",
    phone: "Телефон",
    ask_no: "Не запрашивать",
    ask_optional: "Необязательно",
    ask_required: "Обязательно",
    form_agreements: "Соглашения, которые форма показывает флажками",
    form_ask_in_chat: "Просить контактные данные в чате после первого сообщения посетителя",
    form_ask_in_chat_hint: "Выключено: форма ждёт в чате за ссылкой, которую посетитель может открыть.",
    no_agreements: "Соглашений пока нет: создайте их через API администратора.",
    theme_title: "Оформление",
    loading_theme: "Загрузка оформления…",
    theme_mode: "Цвета",
    mode_auto: "Как в системе посетителя",
    mode_light: "Светлые",
    mode_dark: "Тёмные",
    accent: "Акцентный цвет",
    accent_code: "Код акцентного цвета",
    accent_hint: "#rrggbb; пусто — синий Canal",
    launcher_side: "Сторона кнопки",
    side_right: "Справа",
    side_left: "Слева",
    launcher_text: "Текст кнопки",
    launcher_text_hint: "До 40 символов; пусто — «Чат» на языке посетителя",
    theme_saved: "Сохранено: код выше показывает новое оформление",
    identity_title: "Проверка личности",
    loading_identity: "Загрузка проверки личности…",
    identity_enforced: "Отклонять личности без действительной подписи",
    identity_window: "Срок действия подписи (секунды)",
    identity_window_hint: "От 60 до 604800 (7 дней)",
    has_secret: "У канала есть секрет (он показывается только при создании).",
    no_secret: "Секрета ещё нет: создайте его, прежде чем требовать проверку.",
    new_secret: "Создать новый секрет",
    secret_made: "Новый секрет создан",
    secret_label: "Новый секрет",
    secret_warning: "Скопируйте его сейчас: он показывается только один раз. Он заменил старый секрет: подписи, сделанные старым, больше не принимаются.",
    err_color: "Укажите акцент как #rrggbb или оставьте пустым.",
    err_launcher_text: "Текст кнопки — не более 40 символов.",
    err_window: "Введите целое число секунд от 60 до 604800.",
    automation_title: "Автоматические действия",
    loading_automation: "Загрузка автоматических действий…",
    automation_of: "Автоматические действия канала",
    unanswered_after: "Отметить «без ответа» через (минут)",
    unanswered_after_hint: "Если агент не ответил посетителю за это время, разговор отмечается во входящих как оставшийся без ответа, пока агент не ответит. Пусто: никогда.",
    auto_close_after: "Закрыть после молчания посетителя (минут)",
    auto_close_after_hint: "Отсчитывается от последнего сообщения агента, пока посетитель больше не писал. Пусто: никогда.",
    auto_close_text: "Сообщение при закрытии",
    auto_close_text_hint: "Посетитель увидит его последним сообщением, когда разговор закроется так. Пусто: без сообщения.",
    typing_preview: "Текст в реальном времени: операторы видят, что печатает посетитель, до отправки",
    typing_preview_hint: "По умолчанию выключено. Посетителя предупреждают до того, как он начнёт печатать; черновики нигде не хранятся. Выключение останавливает показ сразу.",
    err_unanswered_minutes: "Отметить «без ответа» через: целое число минут от 1 до 1440 или пусто.",
    err_auto_close_minutes: "Закрыть после молчания: целое число минут от 1 до 10080 или пусто.",
    err_text_without_close: "Для сообщения при закрытии нужно указать, через сколько закрывать.",
    closing_text: "Сообщение, когда агент закрывает разговор",
    closing_text_hint: "Посетитель увидит его последним сообщением, когда агент закроет разговор. Пусто: без сообщения.",
    rating_ask: "Просить посетителя оценить разговор после закрытия",
    rating_wait: "Ждать оценку до полного закрытия (минут)",
    rating_wait_hint: "От 0 до 60. Пока идёт ожидание, разговор закрыт в ожидании оценки и учитывается в лимите агента по настройкам очереди. Пусто или 0: разговор закрывается полностью сразу, а оценка, пришедшая после полного закрытия, снова открывает разговор.",
    close_on_rating: "Закрывать полностью, как только посетитель оценит",
    err_rating_wait: "Ожидание оценки: целое число минут от 0 до 60 или пусто.",
    kpi_title: "KPI времени ответа",
    kpi_first: "Первый ответ в течение (минут)",
    kpi_first_hint: "От первого сообщения посетителя до первого ответа агента. Считается только время, когда канал открыт. Пусто: без ограничения.",
    kpi_next: "Каждый следующий ответ в течение (минут)",
    kpi_next_hint: "От каждого следующего сообщения посетителя до следующего ответа. Пусто: без ограничения.",
    kpi_notify: "Отправлять уведомление о просроченном ответе",
    kpi_nobody: "Никому (без уведомлений)",
    kpi_text: "Текст уведомления",
    kpi_text_hint: "#OPERATOR#: имя агента; #DIALOG#: диалог, ссылкой. Пусто: текст по умолчанию.",
    err_kpi_minutes: "Ограничения KPI: целое число минут от 1 до 1440 или пусто.",
    err_kpi_notify: "Для уведомлений нужно ограничение первого или следующего ответа.",
    loading_reports: "Загрузка отчётов…",
    report_agents: "Агенты",
    report_empty: "В этот период не началось ни одного диалога.",
    report_truncated: "Показаны только первые 10 000 диалогов: выберите период короче.",
    chart_title: "Среднее время ответа по дням",
};
/// Every table, in the order the language picker lists them.
pub static TABLES: [&Strings; 3] = [&EN, &ES, &RU];

/// The table for a BCP 47 tag (`es`, `es-MX`, `RU`, `ru_RU`, ...); English otherwise.
pub fn for_tag(tag: &str) -> &'static Strings {
    canal_kit::i18n::for_tag(&TABLES, tag).unwrap_or(&EN)
}

impl canal_kit::i18n::Table for Strings {
    fn lang(&self) -> &'static str {
        self.lang
    }
}

/// The language to start with: the agent's stored choice when it names a table,
/// else the browser's language.
pub fn choose(stored: Option<&str>, browser: &str) -> &'static Strings {
    stored
        .and_then(|lang| TABLES.into_iter().find(|table| table.lang == lang))
        .unwrap_or_else(|| for_tag(browser))
}

/// The locale `Intl` writes times in for `strings`: the browser's own tag when it
/// is of the same language (so `en-GB` keeps its 24-hour clock, `es-MX` its
/// dates), else the table's tag.
pub fn intl_locale(strings: &'static Strings, browser: &str) -> String {
    let browser = browser.trim();
    if canal_kit::i18n::primary(browser).eq_ignore_ascii_case(strings.lang) {
        // Intl wants hyphens: `ru_RU` is not a valid tag.
        browser.replace('_', "-")
    } else {
        strings.lang.to_owned()
    }
}

/// Where the agent's choice of language is kept (`localStorage`).
pub const STORAGE_KEY: &str = "canal.console.lang";

/// The browser's preferred language (`navigator.language`); empty outside a browser.
pub fn browser_language() -> String {
    canal_kit::i18n::browser_language()
}

#[cfg(target_arch = "wasm32")]
fn storage() -> Option<web_sys::Storage> {
    // `localStorage` throws in some sandboxed or privacy modes: then nothing is kept.
    web_sys::window()?.local_storage().ok().flatten()
}

/// The language the console starts in: the stored choice, else the browser's.
pub fn initial() -> &'static Strings {
    #[cfg(target_arch = "wasm32")]
    let stored = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    #[cfg(not(target_arch = "wasm32"))]
    let stored = None::<String>;
    choose(stored.as_deref(), &browser_language())
}

/// Keeps the agent's choice for the next visit (nothing when storage is refused).
pub fn remember(strings: &'static Strings) {
    #[cfg(target_arch = "wasm32")]
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, strings.lang);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = strings;
}

/// Tells the document (`<html lang>`, for screen readers and spelling) its language.
pub fn set_document_language(strings: &'static Strings) {
    canal_kit::i18n::set_document_language(strings.lang);
}

/// A text, named by the field of [`Strings`] that holds it: `|t| t.send`. Messages
/// kept in signals are `Text`s, so they are drawn in whatever language is current.
pub type Text = fn(&'static Strings) -> &'static str;

/// A message kept to be shown: one of ours (in the current language), or the
/// server's own sentence (as it sent it).
#[derive(Debug, Clone)]
pub enum Message {
    Text(Text),
    Said(String),
}

impl Message {
    /// The message in the language of `strings`.
    pub fn in_language(&self, strings: &'static Strings) -> String {
        match self {
            Self::Text(text) => text(strings).to_owned(),
            Self::Said(said) => said.clone(),
        }
    }
}

/// Makes `strings` the language of the components inside; setting it switches
/// their texts at once.
pub fn provide_language(strings: RwSignal<&'static Strings>) {
    canal_kit::i18n::provide_language(strings);
}

/// The language provided by the enclosing components; English when there is none
/// (a component mounted alone).
pub fn use_strings() -> RwSignal<&'static Strings> {
    canal_kit::i18n::use_strings(&EN)
}

/// `text` in the current language, as a view or an attribute value that follows a
/// change of language.
pub fn tr(text: Text) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    canal_kit::i18n::tr(&EN, text)
}

/// The `Intl` locale for the current language (see [`intl_locale`]), tracked.
pub fn use_locale() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let strings = use_strings();
    move || intl_locale(strings.get(), &browser_language())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn crm_codes_read_as_words_and_unknown_ones_as_they_came() {
        assert_eq!(EN.crm_code("livechat"), "Website chat");
        assert_eq!(ES.crm_code("won"), "Ganado");
        assert_eq!(RU.crm_code("grant"), "Дано");
        assert_eq!(EN.crm_code("telepathy"), "telepathy");
    }

    #[test]
    fn login_errors_say_what_to_do() {
        let status = |status| ApiError::Status {
            status,
            code: None,
            message: None,
        };
        let said = |error: &ApiError| Strings::login_error(error)(&EN);
        assert_eq!(said(&status(401)), EN.err_credentials);
        assert_eq!(said(&status(429)), EN.err_too_many);
        assert_eq!(said(&status(400)), EN.err_login_invalid);
        assert_eq!(said(&status(503)), EN.err_server);
        assert_eq!(said(&ApiError::Network), EN.err_network);
        assert_eq!(said(&ApiError::Decode), EN.err_server);
        // The same failure, in another language.
        assert_eq!(Strings::login_error(&status(401))(&RU), RU.err_credentials);
    }

    #[test]
    fn settings_errors_prefer_the_servers_sentence() {
        let failed = |status, message: Option<&str>| ApiError::Status {
            status,
            code: Some(ErrorCode::InvalidField),
            message: message.map(str::to_owned),
        };
        let said = |error: &ApiError, strings| Strings::admin_error(error).in_language(strings);
        assert_eq!(
            said(&failed(422, Some("email is already taken")), &ES),
            "email is already taken"
        );
        assert_eq!(said(&failed(403, None), &EN), EN.err_admin_forbidden);
        assert_eq!(said(&failed(403, None), &ES), ES.err_admin_forbidden);
        assert_eq!(said(&failed(500, Some(" ")), &EN), EN.err_admin_failed);
        assert_eq!(said(&ApiError::Network, &RU), RU.err_network);
        assert_eq!(
            Strings::form_error(FormError::PassAfter)(&EN),
            EN.admin().err_pass_after
        );
    }

    #[test]
    fn every_refusal_has_a_sentence() {
        for t in TABLES {
            assert_eq!(t.refusal(ErrorCode::RoutingRefused), t.refused_routing);
            assert_eq!(t.refusal(ErrorCode::Conflict), t.refused_other);
            assert!(!t.refusal(ErrorCode::Internal).is_empty());
        }
    }

    #[test]
    fn tags_pick_their_language_and_unknown_ones_english() {
        assert!(std::ptr::eq(for_tag("es-MX"), &ES));
        assert!(std::ptr::eq(for_tag("es"), &ES));
        assert!(std::ptr::eq(for_tag("RU"), &RU));
        assert!(std::ptr::eq(for_tag("ru_RU"), &RU));
        assert!(std::ptr::eq(for_tag("en-US"), &EN));
        assert!(std::ptr::eq(for_tag("de"), &EN));
        assert!(std::ptr::eq(for_tag("eso"), &EN));
        assert!(std::ptr::eq(for_tag(""), &EN));
    }

    #[test]
    fn a_stored_choice_wins_over_the_browser() {
        assert!(std::ptr::eq(choose(Some("ru"), "es-ES"), &RU));
        assert!(std::ptr::eq(choose(Some("en"), "ru"), &EN));
        assert!(std::ptr::eq(choose(None, "es-AR"), &ES));
        // Only a table's own tag counts as a choice; anything else is ignored.
        assert!(std::ptr::eq(choose(Some("klingon"), "ru-RU"), &RU));
        assert!(std::ptr::eq(choose(Some(""), "de"), &EN));
    }

    #[test]
    fn times_use_the_browsers_tag_when_it_is_the_same_language() {
        assert_eq!(intl_locale(&EN, "en-GB"), "en-GB");
        assert_eq!(intl_locale(&ES, "es-MX"), "es-MX");
        assert_eq!(intl_locale(&RU, "en-GB"), "ru");
        assert_eq!(intl_locale(&EN, "de-DE"), "en");
        assert_eq!(intl_locale(&EN, ""), "en");
        assert_eq!(intl_locale(&RU, " ru_RU "), "ru-RU");
    }

    #[test]
    fn unread_counts_agree_with_their_number() {
        assert_eq!(EN.unread(1), "1 new");
        assert_eq!(EN.unread(3), "3 new");
        assert_eq!(ES.unread(2), "2 sin leer");
        assert_eq!(RU.unread(1), "1 новое");
        assert_eq!(RU.unread(21), "21 новое");
        assert_eq!(RU.unread(11), "11 новых");
        assert_eq!(RU.unread(3), "3 новых");
    }

    /// The quoted strings of a table's `Debug` output: every text it holds.
    fn texts(table: &impl std::fmt::Debug) -> Vec<String> {
        let debug = format!("{table:?}");
        let mut texts = Vec::new();
        let mut chars = debug.chars();
        while let Some(c) = chars.next() {
            if c != '"' {
                continue;
            }
            let mut text = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => text.extend(chars.next()),
                    '"' => break,
                    c => text.push(c),
                }
            }
            texts.push(text);
        }
        texts
    }

    #[test]
    fn every_table_is_complete_and_translated() {
        let english = [texts(&EN), texts(EN.admin())].concat();
        assert!(english.len() > 400, "{} texts", english.len());
        for (table, lang) in [(&EN, "en"), (&ES, "es"), (&RU, "ru")] {
            assert_eq!(table.lang, lang);
            assert!(std::ptr::eq(for_tag(lang), table));
            assert_eq!(table.admin().lang, lang);
            let own = [texts(table), texts(table.admin())].concat();
            assert_eq!(own.len(), english.len(), "{lang}");
            for (i, text) in own.iter().enumerate() {
                assert!(!text.trim().is_empty(), "{lang}: text {i} is empty");
            }
            if lang == "en" {
                continue;
            }
            // No sentence left in English (short names such as "Supervisor" or
            // " (bot)" may well be the same).
            for (en, own) in english.iter().zip(&own) {
                assert!(
                    en.len() < 12 || en != own,
                    "{lang}: {en:?} is not translated"
                );
            }
        }
        let names: Vec<_> = TABLES.iter().map(|t| t.native_name).collect();
        assert_eq!(names, ["English", "Español", "Русский"]);
    }
}
