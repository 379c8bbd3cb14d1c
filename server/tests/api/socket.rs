//! The visitor socket: hello, send, ack, replay, fan-out, and bad frames.

use crate::helpers::spawn_app;
use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn messages_are_acknowledged_with_sequence_numbers_and_stored_once() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.socket().await;
    let welcome = socket
        .hello(&conversation.conversation_id, &consent.visitor_token, 0)
        .await;
    assert_eq!(welcome["last_seq"], 0);
    assert_eq!(socket.say("m1", "Hello, is anyone there?").await, 1);
    assert_eq!(
        socket.say("m2", "I have a question about delivery").await,
        2
    );
    // A re-send after a lost ack: same sequence number, nothing new stored.
    assert_eq!(socket.say("m1", "Hello, is anyone there?").await, 1);
    let rows = app
        .store
        .messages_after(&conversation.conversation_id, 0)
        .await
        .expect("read");
    let texts: Vec<_> = rows.iter().map(|m| (m.seq, m.body.as_str())).collect();
    assert_eq!(
        texts,
        [
            (1, "Hello, is anyone there?"),
            (2, "I have a question about delivery")
        ]
    );
    // The ack carries the stored time (the visitor's clock shows it), the same on a
    // re-send.
    socket
        .send(
            json!({"type": "send", "client_id": "m2", "text": "I have a question about delivery"}),
        )
        .await;
    let ack = socket.expect("ack").await;
    assert_eq!(ack["seq"], 2);
    assert_eq!(ack["sent_at"], rows[1].created_at.as_str());
}

#[tokio::test]
async fn a_returning_socket_gets_what_it_missed_in_order() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let mut first = app.joined(&consent, &conversation).await;
    first.say("a", "one").await;
    first.say("b", "two").await;
    first.say("c", "three").await;
    drop(first);

    let mut again = app.socket().await;
    let welcome = again
        .hello(&conversation.conversation_id, &consent.visitor_token, 1)
        .await;
    assert_eq!(welcome["last_seq"], 3);
    let two = again.expect("message").await;
    let three = again.expect("message").await;
    assert_eq!(
        (two["seq"].as_u64(), two["text"].as_str()),
        (Some(2), Some("two"))
    );
    assert_eq!(
        (three["seq"].as_u64(), three["text"].as_str()),
        (Some(3), Some("three"))
    );
    assert_eq!(three["author"], "visitor");
    assert_eq!(three["client_id"], "c");
}

#[tokio::test]
async fn a_message_reaches_the_other_sockets_of_the_conversation() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let mut tab_a = app.joined(&consent, &conversation).await;
    let mut tab_b = app.joined(&consent, &conversation).await;
    tab_a.say("x1", "from tab a").await;
    let seen = tab_b.expect("message").await;
    assert_eq!(seen["text"], "from tab a");
    assert_eq!(seen["seq"], 1);
    // The sender gets no echo: its next frame is the ack of its next message.
    assert_eq!(tab_a.say("x2", "again").await, 2);
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_store_nothing() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.socket().await;

    socket
        .send(json!({"type": "send", "client_id": "a", "text": "too early"}))
        .await;
    assert_eq!(socket.expect("error").await["code"], "not_authenticated");

    socket
        .hello(&conversation.conversation_id, &consent.visitor_token, 0)
        .await;
    let long = "x".repeat(4001);
    let cases = [
        ("{not json".to_owned(), "bad_request"),
        ("[]".to_owned(), "bad_request"),
        (
            json!({"type": "delete", "seq": 1}).to_string(),
            "bad_request",
        ),
        (
            json!({"type": "send", "client_id": "a"}).to_string(),
            "bad_request",
        ),
        (
            json!({"type": "send", "client_id": "a", "text": "hi", "author": "agent"}).to_string(),
            "unknown_field",
        ),
        (
            json!({"type": "send", "client_id": "a", "text": "   "}).to_string(),
            "invalid_field",
        ),
        (
            json!({"type": "send", "client_id": "a", "text": long}).to_string(),
            "invalid_field",
        ),
        (
            json!({"type": "send", "client_id": "", "text": "hi"}).to_string(),
            "invalid_field",
        ),
        (
            json!({"type": "send", "client_id": "has space", "text": "hi"}).to_string(),
            "invalid_field",
        ),
        (
            json!({"type": "hello", "conversation_id": conversation.conversation_id,
                "visitor_token": consent.visitor_token, "last_seq": 0})
            .to_string(),
            "bad_request",
        ),
    ];
    for (text, code) in cases {
        socket.send_text(&text).await;
        let error = socket.expect("error").await;
        assert_eq!(error["code"], code, "{text}");
    }
    socket
        .ws
        .send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .expect("send binary");
    assert_eq!(socket.expect("error").await["code"], "bad_request");
    // Still usable after all that.
    assert_eq!(socket.say("ok", "fine").await, 1);
    assert_eq!(app.count("messages").await, 1);
}

#[tokio::test]
async fn a_wrong_token_or_conversation_closes_the_socket() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let (other, _) = app.conversation().await;

    let mut socket = app.socket().await;
    socket
        .send(
            json!({"type": "hello", "conversation_id": conversation.conversation_id,
                     "visitor_token": "v1.x.AAAA", "last_seq": 0}),
        )
        .await;
    assert_eq!(socket.expect("error").await["code"], "unauthorized");
    assert!(socket.next().await.is_none(), "closed");

    let mut socket = app.socket().await;
    socket
        .send(
            json!({"type": "hello", "conversation_id": conversation.conversation_id,
                     "visitor_token": other.visitor_token, "last_seq": 0}),
        )
        .await;
    assert_eq!(socket.expect("error").await["code"], "unknown_conversation");
    assert!(socket.next().await.is_none(), "closed");
    let _ = consent;
}

#[tokio::test]
async fn an_oversize_frame_closes_the_socket_and_stores_nothing() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.joined(&consent, &conversation).await;
    let huge = json!({"type": "send", "client_id": "big", "text": "x".repeat(64 * 1024)});
    // The server may close while we are still writing; either way no message.
    let _ = socket.ws.send(Message::Text(huge.to_string().into())).await;
    assert!(socket.next().await.is_none(), "closed");
    assert_eq!(app.count("messages").await, 0);
}

/// How the server ended the socket: the code of its close frame (`None`: it closed
/// without one, or the connection broke).
async fn close_code(socket: &mut crate::helpers::Socket) -> Option<u16> {
    use futures_util::StreamExt;
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), socket.ws.next())
            .await
            .expect("the socket closes within 10 s");
        match frame {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

/// A `send` frame of exactly `bytes` bytes: the JSON padded with spaces (JSON allows
/// them between tokens), its text `text`.
fn send_frame_of(bytes: usize, client_id: &str, text: &str) -> String {
    let frame = json!({"type": "send", "client_id": client_id, "text": text}).to_string();
    assert!(frame.len() <= bytes, "{} > {bytes}", frame.len());
    let padding = " ".repeat(bytes - frame.len());
    format!("{{{padding}{}", &frame[1..])
}

#[tokio::test]
async fn a_frame_at_the_size_limit_is_stored_and_one_byte_more_closes_with_1009() {
    use canal_protocol::limits::{MAX_FRAME_BYTES, MAX_MESSAGE_CHARS};
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.joined(&consent, &conversation).await;
    // The longest text (4-byte characters), in a frame of exactly the limit.
    let text = "\u{1F600}".repeat(MAX_MESSAGE_CHARS);
    let at_limit = send_frame_of(MAX_FRAME_BYTES, "at-limit", &text);
    assert_eq!(at_limit.len(), MAX_FRAME_BYTES);
    socket
        .ws
        .send(Message::Text(at_limit.into()))
        .await
        .expect("send");
    let ack = socket.expect("ack").await;
    assert_eq!(
        (ack["client_id"].as_str(), ack["seq"].as_u64()),
        (Some("at-limit"), Some(1))
    );
    let stored = app
        .store
        .messages_after(&conversation.conversation_id, 0)
        .await
        .expect("read");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].body, text);
    // Still usable after a frame of the largest size.
    assert_eq!(socket.say("small", "and a short one").await, 2);

    // One byte more: closed with 1009 (RFC 6455: message too big), nothing stored.
    let over = send_frame_of(MAX_FRAME_BYTES + 1, "over", "too long by one byte");
    socket
        .ws
        .send(Message::Text(over.into()))
        .await
        .expect("send");
    assert_eq!(close_code(&mut socket).await, Some(1009));
    assert_eq!(app.count("messages").await, 2);
}

#[tokio::test]
async fn a_socket_from_another_origin_is_refused() {
    let app = spawn_app().await;
    let mut request = format!("ws://{}/api/v1/ws", app.addr)
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().expect("header"));
    let refused = tokio_tungstenite::connect_async(request).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403)
        }
        other => panic!("expected a 403, got {other:?}"),
    }
    let mut request = format!("ws://{}/api/v1/ws", app.addr)
        .into_client_request()
        .expect("request");
    let own = format!("http://{}", app.addr);
    request
        .headers_mut()
        .insert("origin", own.parse().expect("header"));
    assert!(tokio_tungstenite::connect_async(request).await.is_ok());
}

#[tokio::test]
async fn stopping_the_server_closes_open_sockets() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.joined(&consent, &conversation).await;
    // Stopping must not wait for the visitor to leave: the socket is closed.
    drop(app);
    assert!(socket.next().await.is_none(), "closed by the server");
}

#[tokio::test]
async fn a_hello_beyond_the_servers_newest_gets_the_servers_number_and_what_follows() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let mut writer = app.joined(&consent, &conversation).await;
    writer.say("a", "one").await;
    writer.say("b", "two").await;

    // A client that believes it has 7 messages (a restored database, a client bug).
    let mut ahead = app.socket().await;
    let welcome = ahead
        .hello(&conversation.conversation_id, &consent.visitor_token, 7)
        .await;
    assert_eq!(welcome["last_seq"], 2, "the server's own newest: {welcome}");
    // What follows the server's newest reaches it, in order.
    assert_eq!(writer.say("c", "three").await, 3);
    let three = ahead.expect("message").await;
    assert_eq!(
        (three["seq"].as_u64(), three["text"].as_str()),
        (Some(3), Some("three"))
    );
    assert_eq!(writer.say("d", "four").await, 4);
    let four = ahead.expect("message").await;
    assert_eq!(four["seq"], 4);
    // Its own outbox re-sent: stored after the server's newest and acknowledged.
    assert_eq!(ahead.say("e", "five, from the client").await, 5);
    assert_eq!(writer.expect("message").await["seq"], 5);

    // An up-to-date client is told the same number and gets nothing again.
    let mut current = app.socket().await;
    let welcome = current
        .hello(&conversation.conversation_id, &consent.visitor_token, 5)
        .await;
    assert_eq!(welcome["last_seq"], 5);
    assert_eq!(writer.say("f", "six").await, 6);
    assert_eq!(current.expect("message").await["seq"], 6);
}

#[tokio::test]
async fn an_acknowledged_client_id_sent_again_after_a_restart_is_not_stored_twice() {
    let mut app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.joined(&consent, &conversation).await;
    assert_eq!(socket.say("m1", "Before the restart").await, 1);
    assert_eq!(socket.say("m2", "Also before").await, 2);
    drop(socket);

    app.restart().await;
    // The client lost both acks and sends its outbox again after reconnecting.
    let mut socket = app.socket().await;
    let welcome = socket
        .hello(&conversation.conversation_id, &consent.visitor_token, 0)
        .await;
    assert_eq!(welcome["last_seq"], 2);
    assert_eq!(socket.expect("message").await["client_id"], "m1");
    assert_eq!(socket.expect("message").await["client_id"], "m2");
    assert_eq!(socket.say("m1", "Before the restart").await, 1);
    assert_eq!(socket.say("m2", "Also before").await, 2);
    assert_eq!(socket.say("m3", "After").await, 3);
    assert_eq!(app.count("messages").await, 3);
}
