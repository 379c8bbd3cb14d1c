//! The CRM and the chat tracker: one customer across a messenger and the website
//! chat, nothing made for a visitor who left no contact data, the responsible
//! agent offered a known customer first, who hears of a customer's message, the
//! customer card and "save to CRM", and every CRM endpoint's bad input.

use serde_json::{json, Value};

use crate::agents::{is_upsert, settings, team, Team};
use crate::helpers::{assert_error, spawn_app, TestApp, PAGE};

const INBOUND: &str = "/channels/demo/messenger/inbound";

impl TestApp {
    /// A messenger message; returns the answer (201 first, 200 next).
    async fn messenger(&self, chat_id: &str, text: &str, profile: Option<Value>) -> Value {
        let mut body = json!({"chat_id": chat_id, "text": text});
        if let Some(p) = profile {
            body["profile"] = p;
        }
        let (status, answer) = self.admin_post(INBOUND, &body).await;
        assert!(status == 201 || status == 200, "{status} {answer}");
        answer
    }

    async fn contacts(&self, query: &str) -> Vec<Value> {
        let (status, body) = self.admin_get(&format!("/crm/contacts{query}")).await;
        assert_eq!(status, 200, "{body}");
        body["contacts"].as_array().expect("contacts").clone()
    }

    /// A contact form asking name, phone and e-mail, with no agreements.
    pub(crate) async fn contact_form(&self) {
        let (status, body) = self
            .admin_put(
                "/channels/demo/form",
                &json!({"fields": [{"name": "name"}, {"name": "phone"}, {"name": "email"}],
                        "agreements": []}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// Marta, a messenger customer (phone +34 611 222 333) with `agent` as her
    /// responsible; the contact as the edit answered it.
    async fn marta_known_with_responsible(&self, agent: u64) -> Value {
        self.messenger(
            "tg-9",
            "hola",
            Some(json!({"name": "Marta", "phone": "+34 611 222 333"})),
        )
        .await;
        let contact = self.contacts("").await[0]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let (status, body) = self
            .admin_patch(
                &format!("/crm/contacts/{contact}"),
                &json!({"responsible_agent_id": agent}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    async fn crm_settings(&self, settings: Value) {
        let (status, body) = self.admin_put("/channels/demo/crm", &settings).await;
        assert_eq!(status, 200, "{body}");
    }

    async fn crm_rows(&self) -> [i64; 5] {
        [
            self.count("crm_contacts").await,
            self.count("crm_contact_phones").await,
            self.count("crm_contact_emails").await,
            self.count("crm_records").await,
            self.count("crm_conversations").await,
        ]
    }
}

#[tokio::test]
async fn a_customer_from_a_messenger_and_then_the_website_is_one_crm_record() {
    let app = spawn_app().await;
    app.contact_form().await;

    // A messenger chat: the client can be answered there, so a contact and (the
    // demo channel's default mode) a deal are made, named after them.
    let first = app
        .messenger(
            "tg-77",
            "Hola, ¿tenéis talla M?",
            Some(json!({"name": "Lucía Gómez"})),
        )
        .await;
    let messenger_conversation = first["conversation_id"].as_str().expect("id").to_owned();
    let contacts = app.contacts("").await;
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    assert_eq!(contacts[0]["name"], "Lucía Gómez");
    assert_eq!(contacts[0]["phones"], json!([]));
    // The client gives a phone inside a message: the tracker adds it.
    app.messenger("tg-77", "Sí. Mi teléfono es +34 612-345-678, gracias", None)
        .await;
    let contacts = app.contacts("").await;
    assert_eq!(contacts[0]["phones"], json!(["+34612345678"]));
    assert_eq!(contacts[0]["first_phone"], "+34612345678");
    let contact_id = contacts[0]["id"].as_str().expect("id").to_owned();

    // Later on the website chat, the same phone (typed another way) in the form,
    // with an e-mail: the same contact, the e-mail merged, the chat attached.
    let (consent, website) = app.conversation().await;
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/form",
            &json!({"visitor_token": consent.visitor_token, "page_url": PAGE,
                    "conversation_id": website.conversation_id,
                    "name": "Lucía", "phone": "+34 612 34 56 78", "email": "Lucia.Gomez@Example.COM"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let contacts = app.contacts("").await;
    assert_eq!(contacts.len(), 1, "one customer: {contacts:?}");
    assert_eq!(contacts[0]["id"], contact_id.as_str());
    assert_eq!(contacts[0]["name"], "Lucía Gómez", "the first name stays");
    assert_eq!(contacts[0]["emails"], json!(["lucia.gomez@example.com"]));
    let (status, card) = app.admin_get(&format!("/crm/contacts/{contact_id}")).await;
    assert_eq!(status, 200, "{card}");
    let conversations: Vec<&str> = card["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .map(|c| c["conversation_id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        conversations,
        [
            messenger_conversation.as_str(),
            website.conversation_id.as_str()
        ]
    );
    assert_eq!(card["conversations"][0]["source"], "messenger");
    assert_eq!(card["conversations"][1]["source"], "livechat");
    let records = card["records"].as_array().expect("records");
    assert_eq!(records.len(), 1, "one deal: {records:?}");
    assert_eq!(records[0]["kind"], "deal");
    assert_eq!(records[0]["source"], "messenger");
    assert_eq!(records[0]["channel"], "demo");
    assert_eq!(records[0]["title"], "Lucía Gómez");
    assert_eq!(
        records[0]["conversation_id"].as_str(),
        Some(messenger_conversation.as_str()),
        "the transcript's chat"
    );
    // The website chat's consent is on the card (read from the ledger).
    assert!(
        card["consents"]
            .as_array()
            .expect("consents")
            .iter()
            .any(|c| c["consent_id"].as_str() == Some(consent.consent_id.as_str())),
        "{card}"
    );

    // Search by name, phone (any typing) and e-mail.
    assert_eq!(app.contacts("?q=luc%C3%ADa").await.len(), 1);
    assert_eq!(app.contacts("?q=nadie").await.len(), 0);
    assert_eq!(
        app.contacts("?phone=%2B34%20612%20345%20678").await.len(),
        1
    );
    assert_eq!(
        app.contacts("?email=LUCIA.GOMEZ%40example.com").await.len(),
        1
    );
    let (status, list) = app.admin_get("/crm/records?kind=deal").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["records"].as_array().map(Vec::len), Some(1));

    // The phone is taken off the contact; it stays the tracker's link: a new
    // messenger chat giving it lands on the same contact, with no new deal.
    let (status, edited) = app
        .admin_patch(
            &format!("/crm/contacts/{contact_id}"),
            &json!({"phones": ["+34 699 000 111"]}),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["contact"]["phones"], json!(["+34699000111"]));
    assert_eq!(edited["contact"]["first_phone"], "+34612345678");
    app.messenger(
        "wa-5",
        "hola",
        Some(json!({"name": "L. G.", "phone": "+34612345678"})),
    )
    .await;
    let contacts = app.contacts("").await;
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    let (_, card) = app.admin_get(&format!("/crm/contacts/{contact_id}")).await;
    assert_eq!(card["conversations"].as_array().map(Vec::len), Some(3));
    assert_eq!(card["records"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_website_visitor_who_leaves_no_contact_data_makes_nothing() {
    let app = spawn_app().await;
    let (_, _, mut socket) = app.visitor().await;
    socket.say("c1", "Hola, ¿hacéis envíos a Canarias?").await;
    socket
        .say("c2", "Pedido 12345 del 2024-05-01, gracias")
        .await;
    socket.settled().await;
    assert_eq!(app.crm_rows().await, [0, 0, 0, 0, 0]);

    // A phone typed in the chat makes the customer reachable: a contact and a deal.
    socket.say("c3", "Llamadme al +34 612 345 678").await;
    socket.settled().await;
    assert_eq!(app.crm_rows().await, [1, 1, 0, 1, 1]);

    // A channel in lead mode makes a lead; in mode none, only the contact.
    app.crm_settings(json!({"mode": "lead"})).await;
    let (_, _, mut other) = app.visitor().await;
    other.say("c1", "escribidme a eva@example.org").await;
    other.settled().await;
    let (_, list) = app.admin_get("/crm/records?kind=lead").await;
    assert_eq!(list["records"].as_array().map(Vec::len), Some(1), "{list}");

    // With the channel's CRM check off, nothing is looked at.
    app.crm_settings(json!({"check_customer": false})).await;
    let before = app.crm_rows().await;
    let (_, _, mut third) = app.visitor().await;
    third.say("c1", "soy +34 622 111 222").await;
    third.settled().await;
    assert_eq!(app.crm_rows().await, before);
}

#[tokio::test]
async fn the_responsible_agent_is_offered_a_recognised_customer_first() {
    let Team {
        app,
        ben,
        mut ben_console,
        ..
    } = team(|ana, _| {
        let mut s = settings("strict", &[ana]);
        s["route_to_responsible"] = json!(true);
        s
    })
    .await;
    // A messenger customer, with Ben (not in the queue) as their responsible.
    let body = app.marta_known_with_responsible(ben).await;
    assert_eq!(body["contact"]["responsible_name"], "Ben");

    // The customer comes to the website and says who they are (setUser): the
    // tracker knows them before routing, so Ben is offered the chat first.
    let consent = app.consent().await;
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": consent.visitor_token,
                    "user": {"id": "u-9", "name": "Marta", "phone": "+34611222333"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, started) = app
        .post(
            "/api/v1/channels/demo/conversations",
            &json!({"visitor_token": consent.visitor_token, "consent_id": consent.consent_id,
                    "page_url": PAGE}),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    let id = started["conversation_id"].as_str().expect("id").to_owned();
    let offer = ben_console
        .until("Ben's offer", is_upsert(&id, "offered"))
        .await;
    assert_eq!(offer["conversation"]["offered_to"], json!([ben]));

    // Ben hears of the customer's messages (the responsible agent), Ana does not.
    let conversation = canal_protocol::ConversationCreated {
        conversation_id: id.clone(),
        visitor_token: consent.visitor_token.clone(),
    };
    let mut visitor = app.joined(&consent, &conversation).await;
    visitor.say("m1", "¿Sigue en pie mi pedido?").await;
    let heard = ben_console
        .until("the notice", |f| f["type"] == "customer_wrote")
        .await;
    assert_eq!(heard["conversation_id"], id.as_str());
    assert_eq!(heard["text"], "¿Sigue en pie mi pedido?");
    // A customer nobody is responsible for: the channel's supervisor hears, and
    // with no supervisor, the admins.
    let (_, _, mut stranger) = app.visitor().await;
    app.agent("sue@shop.example", "Sue", "supervisor").await;
    let sue = app.agent("sol@shop.example", "Sol", "supervisor").await;
    app.managers(&[sue]).await;
    let (mut sol_console, _) = app.console("sol@shop.example").await;
    stranger.say("s1", "hola").await;
    sol_console
        .until("the supervisor's notice", |f| {
            f["type"] == "customer_wrote" && f["text"] == "hola"
        })
        .await;
}

/// A customer recognised during the chat: the phone typed in a message finds
/// their contact, and the waiting conversation is offered to their responsible.
#[tokio::test]
async fn a_customer_recognised_mid_chat_is_offered_to_their_responsible() {
    let Team {
        app,
        ben,
        mut ben_console,
        ..
    } = team(|_, _| {
        // Nobody in the queue: an unknown customer waits.
        let mut s = settings("strict", &[]);
        s["route_to_responsible"] = json!(true);
        s
    })
    .await;
    app.marta_known_with_responsible(ben).await;

    // On the website, anonymous: the chat waits, offered to nobody.
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    visitor.say("m1", "Hola, ¿hay alguien?").await;
    visitor.settled().await;
    let (_, log) = app.admin_get(&format!("/conversations/{id}/routing")).await;
    assert!(
        !log.to_string().contains("recognised"),
        "not recognised yet: {log}"
    );
    // The customer gives their phone: Ben, their responsible, is offered the chat.
    visitor
        .say("m2", "Soy Marta, mi teléfono es +34 611 222 333")
        .await;
    let offer = ben_console
        .until("Ben's offer", is_upsert(&id, "offered"))
        .await;
    assert_eq!(offer["conversation"]["offered_to"], json!([ben]));
    let (_, log) = app.admin_get(&format!("/conversations/{id}/routing")).await;
    assert!(
        log["lines"].as_array().is_some_and(|lines| lines
            .iter()
            .any(|l| l["text"].as_str().is_some_and(|t| t.contains("recognised")))),
        "{log}"
    );
}

#[tokio::test]
async fn with_no_responsible_nor_supervisor_the_admins_hear_of_a_customer() {
    let app = spawn_app().await;
    app.agent("root@shop.example", "Root", "admin").await;
    app.agent("ag@shop.example", "Ag", "agent").await;
    let (mut admin_console, _) = app.console("root@shop.example").await;
    app.messenger("tg-1", "hola, soy nuevo", None).await;
    let heard = admin_console
        .until("the admin's notice", |f| f["type"] == "customer_wrote")
        .await;
    assert_eq!(heard["text"], "hola, soy nuevo");
    assert_eq!(heard["channel"], "demo");
}

#[tokio::test]
async fn the_agent_sees_the_customer_card_and_saves_the_chat_to_the_crm() {
    let Team {
        app,
        ana,
        ben,
        mut ana_console,
        // Ben's console stays open: he is online to take the transfer.
        ben_console: _ben_console,
    } = team(|ana, ben| settings("strict", &[ana, ben])).await;
    app.crm_settings(json!({"change_responsible_on_transfer": true}))
        .await;
    let cookie = app.login("ana@shop.example").await;
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    ana_console
        .until("Ana's offer", is_upsert(id, "offered"))
        .await;
    ana_console
        .send(json!({"type": "take", "conversation_id": id}))
        .await;
    ana_console.until("taken", is_upsert(id, "mine")).await;
    let card_path = format!("/api/v1/agent/conversations/{id}/crm");
    let get_card = || async {
        let response = app
            .http
            .get(app.url(&card_path))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("get");
        let status = response.status().as_u16();
        (status, response.json::<Value>().await.expect("json"))
    };
    let (status, card) = get_card().await;
    assert_eq!(status, 200, "{card}");
    assert_eq!(card["card"], Value::Null, "not known yet");

    // The customer gives an e-mail in the chat: the card shows them, with Ana
    // (who holds the chat) responsible for what this chat made.
    visitor.say("c1", "mi correo: pablo@example.net").await;
    visitor.settled().await;
    let (_, card) = get_card().await;
    let shown = &card["card"];
    assert_eq!(shown["emails"], json!(["pablo@example.net"]));
    assert_eq!(shown["responsible_name"], "Ana");
    assert_eq!(shown["records"][0]["kind"], "deal");
    assert_eq!(shown["conversations"][0]["source"], "livechat");
    assert_eq!(shown["conversations"][0]["messages"], 1);

    // Saved to the CRM: the chat's consent is linked by a new ledger record;
    // saving again makes nothing.
    let consents = app.count("consents").await;
    let save = || async {
        let response = app
            .http
            .post(app.url(&card_path))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("post");
        let status = response.status().as_u16();
        (status, response.json::<Value>().await.expect("json"))
    };
    let (status, saved) = save().await;
    assert_eq!(status, 200, "the deal was made by the tracker: {saved}");
    assert_eq!(app.count("consents").await, consents + 1);
    let contact_id = saved["contact"]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        saved["contact"]["responsible_agent_id"], ana,
        "Ana held the chat when the tracker made the contact"
    );
    assert_eq!(saved["records"][0]["responsible_agent_id"], ana);
    let linked: Option<String> =
        sqlx::query_scalar("SELECT crm_entity FROM consents ORDER BY seq DESC LIMIT 1")
            .fetch_one(app.db.pool())
            .await
            .expect("latest record");
    assert_eq!(linked, Some(format!("contact:{contact_id}")));
    let (status, _) = save().await;
    assert_eq!(status, 200);
    assert_eq!(app.count("consents").await, consents + 1);
    assert_eq!(app.count("crm_records").await, 1);
    let _ = consent;

    // A transfer to Ben: with "change the responsible on transfer" on, he becomes
    // the responsible of what this chat created.
    ana_console
        .send(json!({"type": "transfer", "conversation_id": id, "to_agent": ben}))
        .await;
    ana_console
        .until("the transfer", |f| {
            assert_ne!(f["type"], "error", "{f}");
            f["type"] == "remove" && f["conversation_id"] == id
        })
        .await;
    let card = crate::helpers::poll(|| async {
        let (_, card) = app.admin_get(&format!("/crm/contacts/{contact_id}")).await;
        if card["contact"]["responsible_agent_id"] == ben {
            Ok(card)
        } else {
            Err(format!("Ben is not responsible yet: {card}"))
        }
    })
    .await;
    assert_eq!(card["records"][0]["responsible_agent_id"], ben);

    // Another agent's conversation: 403; unknown: 404; no session: 401.
    app.agent("cid@shop.example", "Cid", "agent").await;
    let cid = app.login("cid@shop.example").await;
    let (status, body) = get_card_as(&app, &cid, id).await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = get_card_as(&app, &cid, "nope").await;
    assert!(status == 404 || status == 403, "{status} {body}");
    let response = app.http.get(app.url(&card_path)).send().await.expect("get");
    assert_eq!(response.status(), 401);
}

pub(crate) async fn get_card_as(app: &TestApp, cookie: &str, id: &str) -> (u16, Value) {
    let response = app
        .http
        .get(app.url(&format!("/api/v1/agent/conversations/{id}/crm")))
        .header("cookie", cookie)
        .send()
        .await
        .expect("get");
    let status = response.status().as_u16();
    (status, response.json::<Value>().await.expect("json"))
}

#[tokio::test]
async fn bad_input_to_the_crm_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.messenger(
        "tg-1",
        "hola",
        Some(json!({"name": "Ana", "phone": "+34 612 345 678"})),
    )
    .await;
    app.messenger(
        "tg-2",
        "hola",
        Some(json!({"name": "Bea", "email": "bea@example.com"})),
    )
    .await;
    let contacts = app.contacts("").await;
    let ana = contacts
        .iter()
        .find(|c| c["name"] == "Ana")
        .and_then(|c| c["id"].as_str())
        .expect("Ana")
        .to_owned();
    let before = app.crm_rows().await;
    let conversations = app.count("conversations").await;

    // Messenger profiles: a bad phone, e-mail or name, an unknown field.
    for (profile, status, code) in [
        (json!({"phone": "call me"}), 422, "invalid_field"),
        (json!({"phone": "+34 1"}), 422, "invalid_field"),
        (json!({"email": "not-an-address"}), 422, "invalid_field"),
        (json!({"name": "x\u{7}"}), 422, "invalid_field"),
        (json!({"nick": "x"}), 400, "unknown_field"),
    ] {
        let (got, body) = app
            .admin_post(
                INBOUND,
                &json!({"chat_id": "tg-bad", "text": "hola", "profile": profile}),
            )
            .await;
        assert_error(got, &body, status, code);
    }
    assert_eq!(app.count("conversations").await, conversations);

    // The list and the records' list.
    for (query, status, code) in [
        ("/crm/contacts?phone=abc", 422, "invalid_field"),
        ("/crm/contacts?email=abc", 422, "invalid_field"),
        ("/crm/contacts?limit=0", 422, "invalid_field"),
        ("/crm/contacts?limit=1000", 422, "invalid_field"),
        ("/crm/contacts?offset=-1", 422, "invalid_field"),
        ("/crm/contacts?limit=many", 400, "bad_request"),
        ("/crm/contacts?bogus=1", 400, "unknown_field"),
        ("/crm/records?kind=opportunity", 422, "invalid_field"),
        ("/crm/contacts/nope", 404, "not_found"),
        ("/crm/records/nope", 404, "not_found"),
    ] {
        let (got, body) = app.admin_get(query).await;
        assert_error(got, &body, status, code);
    }

    // Edits: bad values, another contact's e-mail, an unknown agent or contact.
    let path = format!("/crm/contacts/{ana}");
    for (edit, status, code) in [
        (json!({"phones": ["not a phone"]}), 422, "invalid_field"),
        (json!({"emails": ["nope"]}), 422, "invalid_field"),
        (json!({"name": "a\u{0}b"}), 422, "invalid_field"),
        (json!({"emails": ["bea@example.com"]}), 409, "conflict"),
        (json!({"responsible_agent_id": 999}), 422, "invalid_field"),
        (json!({"first_phone": "+34600000000"}), 400, "unknown_field"),
        (json!({"phones": "+34600000000"}), 400, "bad_request"),
    ] {
        let (got, body) = app.admin_patch(&path, &edit).await;
        assert_error(got, &body, status, code);
    }
    let (got, body) = app
        .admin_patch("/crm/contacts/nope", &json!({"name": "X"}))
        .await;
    assert_error(got, &body, 404, "not_found");
    let (_, list) = app.admin_get("/crm/records").await;
    let record = list["records"][0]["id"]
        .as_str()
        .expect("a record")
        .to_owned();
    for (edit, status, code) in [
        (json!({"status": "maybe"}), 422, "invalid_field"),
        (json!({"title": ""}), 422, "invalid_field"),
        (json!({"owner": 1}), 400, "unknown_field"),
    ] {
        let (got, body) = app
            .admin_patch(&format!("/crm/records/{record}"), &edit)
            .await;
        assert_error(got, &body, status, code);
    }
    let (got, body) = app
        .admin_patch("/crm/records/nope", &json!({"status": "won"}))
        .await;
    assert_error(got, &body, 404, "not_found");
    assert_eq!(app.crm_rows().await, before, "nothing changed");
    let (_, card) = app.admin_get(&path).await;
    assert_eq!(card["contact"]["phones"], json!(["+34612345678"]));

    // A channel's CRM settings: an unknown region or field.
    for (crm, status, code) in [
        (json!({"default_region": "XX"}), 422, "invalid_field"),
        (json!({"mode": "opportunity"}), 400, "bad_request"),
        (json!({"bogus": true}), 400, "unknown_field"),
        (
            json!({"field_map": [{"source": "custom", "field": "UF_X"}]}),
            422,
            "invalid_field",
        ),
        (
            json!({"field_map": [{"source": "utm", "field": "bad name"}]}),
            422,
            "invalid_field",
        ),
        (
            json!({"field_map": [{"source": "utm", "field": "A"}, {"source": "client_id", "field": "A"}]}),
            422,
            "invalid_field",
        ),
        (
            json!({"field_map": [{"source": "gclid", "field": "A"}]}),
            400,
            "bad_request",
        ),
    ] {
        let (got, body) = app.admin_put("/channels/demo/crm", &crm).await;
        assert_error(got, &body, status, code);
    }
    let (status, stored) = app.admin_get("/channels/demo/crm").await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["mode"], "deal");
    assert_eq!(stored["tracker"], true);
    let (got, body) = app.admin_get("/channels/nope/crm").await;
    assert_error(got, &body, 404, "unknown_channel");

    // Without the admin token: 401.
    let response = app
        .http
        .get(app.url("/api/v1/admin/crm/contacts"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn closing_the_dialog_writes_the_mapped_fields_to_its_deal() {
    let Team {
        app,
        mut ana_console,
        ..
    } = team(|ana, _| settings("strict", &[ana])).await;
    app.crm_settings(json!({"field_map": [
        {"source": "utm_source", "field": "UF_SOURCE"},
        {"source": "utm_medium", "field": "UF_MEDIUM"},
        {"source": "utm", "field": "UF_UTM"},
        {"source": "client_id", "field": "UF_CLIENT"},
        {"source": "message_id", "field": "UF_MESSAGE"},
        {"source": "click_time", "field": "UF_CLICK"},
        {"source": "custom", "field": "UF_SHOP", "value": "Madrid"}
    ]}))
    .await;
    let (_, stored) = app.admin_get("/channels/demo/crm").await;
    assert_eq!(stored["field_map"][6]["value"], "Madrid");

    // The page had utm_source=news (the helper's conversation); the customer
    // leaves a phone, so a deal is made from this chat.
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    let seq = visitor.say("c1", "llamadme al +34 612 345 678").await;
    visitor.settled().await;
    ana_console
        .until("Ana's offer", is_upsert(id, "offered"))
        .await;
    ana_console
        .send(json!({"type": "take", "conversation_id": id}))
        .await;
    ana_console.until("taken", is_upsert(id, "mine")).await;
    let (_, list) = app.admin_get("/crm/records").await;
    assert_eq!(
        list["records"][0]["fields"],
        json!({}),
        "nothing before the close"
    );
    ana_console
        .send(json!({"type": "close", "conversation_id": id}))
        .await;
    let record = crate::helpers::poll(|| async {
        let (_, list) = app.admin_get("/crm/records").await;
        let record = list["records"][0].clone();
        if record["fields"]["UF_SOURCE"] == "news" {
            Ok(record)
        } else {
            Err(format!("not mapped yet: {list}"))
        }
    })
    .await;
    let fields = &record["fields"];
    assert_eq!(fields["UF_UTM"], "utm_source=news");
    assert_eq!(fields["UF_CLIENT"], consent.visitor_id.as_str());
    assert_eq!(fields["UF_MESSAGE"], format!("{id}:{seq}").as_str());
    assert!(
        fields["UF_CLICK"].as_str().is_some_and(|t| t.contains('T')),
        "{fields}"
    );
    assert_eq!(fields["UF_SHOP"], "Madrid");
    assert!(
        fields.get("UF_MEDIUM").is_none(),
        "no medium on the page: {fields}"
    );
    assert_eq!(record["conversation_id"], id);
}

/// PostgreSQL: while another node holds the CRM's lock, the customers who leave
/// their phone numbers here wait for it one at a time in this process, not each on
/// a connection of the pool: other visitors' messages are still stored and
/// acknowledged meanwhile, and once the lock goes each customer is one contact.
#[tokio::test]
async fn customers_waiting_for_the_crm_lock_hold_up_no_other_message() {
    if !crate::helpers::on_postgres() {
        return; // SQLite's trackers take the write gate, which comes before a connection.
    }
    let app = spawn_app().await;
    let (_, _, mut bystander) = app.visitor().await;
    // More customers than the pool has connections (16).
    let mut customers = Vec::new();
    for _ in 0..20 {
        customers.push(app.visitor().await.2);
    }
    // Another node's tracker holds the lock.
    let mut other_node = other_node_holding_the_crm_lock(&app).await;
    // Each leaves a phone number: the message is stored and acknowledged, the
    // tracker that follows it waits for the lock.
    for (n, customer) in customers.iter_mut().enumerate() {
        customer
            .say(&format!("p{n}"), &format!("Call me on +34 611 222 {n:03}"))
            .await;
    }
    crate::helpers::poll(|| async {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        )
        .fetch_one(app.db.pool())
        .await
        .map_err(|e| e.to_string())?;
        (waiting > 0)
            .then_some(())
            .ok_or_else(|| "no tracker waits for the lock".to_owned())
    })
    .await;
    // Another visitor's message is stored and acknowledged meanwhile.
    let seq = bystander.say("b1", "Hello, is anyone there?").await;
    assert_eq!(seq, 1);
    // The lock goes: every tracker goes on.
    crm_lock(&mut other_node, "pg_advisory_unlock").await;
    for customer in &mut customers {
        customer.settled().await;
    }
    assert_eq!(app.count("crm_contacts").await, 20);
}

/// A tracker waits for the CRM's lock as long as a SQLite write waits for the
/// database's (10 s), not for ever: another node that holds it and never lets
/// go (hung, its session left open) costs a customer's contact from that one
/// message, not the customer's socket, which takes the next frame afterwards.
#[tokio::test]
async fn a_tracker_gives_up_on_a_crm_lock_never_let_go() {
    if !crate::helpers::on_postgres() {
        return; // The lock is PostgreSQL's.
    }
    let app = spawn_app().await;
    let (_, _, mut customer) = app.visitor().await;
    let mut other_node = other_node_holding_the_crm_lock(&app).await;
    // The message is stored and acknowledged; its tracker waits for the lock.
    let seq = customer.say("p1", "Call me on +34 611 222 333").await;
    assert_eq!(seq, 1);
    // The tracker gives up (its wait is over within a minute, whatever the
    // lock's holder does) and the socket takes its next frame.
    customer.send_text("settled?").await;
    let refused = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        customer.until_patiently(|f| f["type"] == "error"),
    )
    .await
    .expect("the socket takes frames again");
    assert_eq!(refused["code"], "bad_request", "{refused}");
    assert_eq!(app.count("crm_contacts").await, 0);
    assert_eq!(customer.say("p2", "Are you there?").await, 2);
    // Once the other node lets go, the customer's number is taken again.
    crm_lock(&mut other_node, "pg_advisory_unlock").await;
    customer.say("p3", "My number: +34 611 222 333").await;
    customer.settled().await;
    assert_eq!(app.count("crm_contacts").await, 1);
}

/// Another node's connection to the test's PostgreSQL database, holding the CRM's
/// lock.
async fn other_node_holding_the_crm_lock(app: &crate::helpers::TestApp) -> sqlx::PgConnection {
    use sqlx::Connection;
    let mut other_node = sqlx::PgConnection::connect(&app.db.url)
        .await
        .expect("connect");
    crm_lock(&mut other_node, "pg_advisory_lock").await;
    other_node
}

/// Takes (`pg_advisory_lock`) or lets go of (`pg_advisory_unlock`) the CRM's lock.
async fn crm_lock(node: &mut sqlx::PgConnection, function: &str) {
    sqlx::query(&format!("SELECT {function}($1)"))
        .bind(canal_store::crm::CRM_LOCK)
        .execute(node)
        .await
        .unwrap_or_else(|e| panic!("{function}: {e}"));
}
