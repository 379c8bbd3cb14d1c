//! The messages' group-commit writer: concurrent messages share commits, yet each
//! conversation's sequence numbers stay gap-free, a client id is stored once, and a
//! message that cannot be stored fails alone.

use std::collections::HashMap;

use canal_server::Store;
use futures_util::future::join_all;

use crate::helpers::spawn_app;

const CONVERSATIONS: usize = 6;
const PER_CONVERSATION: usize = 60;

async fn conversations(store: &Store, n: usize) -> Vec<String> {
    let channel = store
        .channel_by_key("demo")
        .await
        .expect("read")
        .expect("demo");
    let mut ids = Vec::new();
    for _ in 0..n {
        let visitor = store.create_visitor(&channel.id).await.expect("visitor");
        let conversation = store
            .create_conversation(&channel.id, &visitor, None, None, None)
            .await
            .expect("conversation");
        ids.push(conversation.id);
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_messages_keep_gap_free_sequences_and_store_a_client_id_once() {
    let app = spawn_app().await;
    let ids = conversations(&app.store, CONVERSATIONS).await;
    // Every message is sent twice at once (a re-send racing the first send), and
    // the conversations' messages interleave, so batches hold many of each.
    let sends = ids.iter().flat_map(|id| {
        (0..PER_CONVERSATION).flat_map(move |n| {
            let client_id = format!("c-{n}");
            [(id.clone(), client_id.clone()), (id.clone(), client_id)]
        })
    });
    let store = &app.store;
    let answers = join_all(sends.map(|(id, client_id)| async move {
        let appended = store
            .append_message(
                &id,
                "visitor",
                Some(&client_id),
                &format!("text {client_id}"),
            )
            .await
            .expect("appended");
        (id, client_id, appended)
    }))
    .await;

    let mut seq_of: HashMap<(String, String), i64> = HashMap::new();
    let mut inserted = 0;
    for (id, client_id, appended) in &answers {
        assert_eq!(
            appended.message.client_id.as_deref(),
            Some(client_id.as_str())
        );
        assert_eq!(appended.message.body, format!("text {client_id}"));
        inserted += usize::from(appended.inserted);
        let seq = *seq_of
            .entry((id.clone(), client_id.clone()))
            .or_insert(appended.message.seq);
        assert_eq!(
            seq, appended.message.seq,
            "both sends answer with one message"
        );
    }
    assert_eq!(
        inserted,
        CONVERSATIONS * PER_CONVERSATION,
        "each client id stored once"
    );
    for id in &ids {
        let stored = store.messages_after(id, 0).await.expect("messages");
        let seqs: Vec<i64> = stored.iter().map(|m| m.seq).collect();
        let want: Vec<i64> = (1..=PER_CONVERSATION as i64).collect();
        assert_eq!(seqs, want, "gap-free, each once");
    }
}

/// An imported conversation's next message follows the imported ones (PostgreSQL
/// keeps a counter of the numbers taken, which the import leaves at 0), a re-send
/// of it is the same message, the number a re-send did not use is the next
/// message's, and a message written behind the store's back (as a node of an
/// older version would, without the counter) is followed too.
#[tokio::test]
async fn an_imported_conversation_goes_on_from_its_last_message() {
    let app = spawn_app().await;
    let store = &app.store;
    let channel = store
        .channel_by_key("demo")
        .await
        .expect("read")
        .expect("demo");
    let imported = canal_server::store::channels::ImportedConversation {
        channel_id: channel.id,
        visitor_name: None,
        visitor_email: None,
        created_at: "2026-12-01T09:00:00Z".to_owned(),
        status: "open".to_owned(),
        agent_id: None,
        unanswered_since: None,
        rating: None,
        messages: ["Hello", "Anyone there?", "About my order"]
            .map(|text| ("visitor".to_owned(), text.to_owned()))
            .to_vec(),
        message_times: Vec::new(),
        label_ids: Vec::new(),
    };
    let ids = store
        .import_conversations(&[imported])
        .await
        .expect("imported");
    let id = &ids[0];
    let send = |client_id: &'static str, text: &'static str| async move {
        store
            .append_message(id, "visitor", Some(client_id), text)
            .await
            .expect("appended")
    };
    let first = send("c-1", "It is order 1042").await;
    assert_eq!((first.message.seq, first.inserted), (4, true));
    let again = send("c-1", "It is order 1042").await;
    assert_eq!((again.message.seq, again.inserted), (4, false));
    let next = send("c-2", "Thanks").await;
    assert_eq!((next.message.seq, next.inserted), (5, true));
    sqlx::query(
        "INSERT INTO messages (conversation_id, seq, author, body, created_at)
         VALUES ($1, 6, 'visitor', 'Hello again', '2026-12-07T09:00:00Z')",
    )
    .bind(id)
    .execute(app.db.pool())
    .await
    .expect("a message behind the store's back");
    let after = send("c-3", "Still there?").await;
    assert_eq!((after.message.seq, after.inserted), (7, true));
    let seqs: Vec<i64> = store
        .messages_after(id, 0)
        .await
        .expect("messages")
        .iter()
        .map(|m| m.seq)
        .collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6, 7]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_cannot_be_stored_fails_alone() {
    let app = spawn_app().await;
    let ids = conversations(&app.store, 2).await;
    let store = &app.store;
    // Sent at once, so they share batches: the one to a conversation that does not
    // exist cannot be stored; the others must be, in order.
    let targets = ids
        .iter()
        .map(String::as_str)
        .chain(["no-such-conversation"])
        .flat_map(|id| (0..20).map(move |n| (id, n)));
    let answers = join_all(targets.map(|(id, n)| async move {
        let answer = store
            .append_message(id, "visitor", None, &format!("message {n}"))
            .await;
        (id, answer)
    }))
    .await;
    for (id, answer) in answers {
        assert_eq!(
            answer.is_ok(),
            id != "no-such-conversation",
            "{id}: {answer:?}"
        );
    }
    for id in &ids {
        let stored = store.messages_after(id, 0).await.expect("messages");
        assert_eq!(stored.len(), 20);
        let seqs: Vec<i64> = stored.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=20).collect::<Vec<i64>>());
    }
}

/// Routing's writes: decisions queued one after the other, without waiting for
/// each other's commit (so they share commits), are stored in that order for each
/// conversation, visitors' messages between them included; a decision whose write
/// fails is rolled back whole and alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_decisions_keep_their_order_and_a_failing_one_fails_alone() {
    use canal_server::store::routing::LogRow;
    use canal_server::store::writes::{NewMessage, Write, Wrote};

    let app = spawn_app().await;
    let ids = conversations(&app.store, 3).await;
    let store = &app.store;
    let line = |text: String| LogRow {
        at: "2026-12-06T00:00:00Z".to_owned(),
        text,
        entry: "{}".to_owned(),
    };
    let system = |id: &str, body: String| {
        Write::Message(NewMessage {
            conversation_id: id.to_owned(),
            author: "system".to_owned(),
            agent_id: None,
            client_id: None,
            body,
        })
    };
    let mut commits = Vec::new();
    let mut visitors = Vec::new();
    for n in 0..40 {
        for id in &ids {
            let mut writes = vec![
                Write::Log {
                    conversation_id: id.clone(),
                    line: line(format!("line {n}")),
                },
                system(id, format!("system {n}")),
            ];
            if n == 7 {
                // No such agent: this decision cannot be stored.
                writes.push(Write::Assign {
                    conversation_id: id.clone(),
                    agent_id: 999_999,
                });
            }
            commits.push((n, store.queue_writes(writes).await.expect("queued")));
        }
        // A visitor's message of the first conversation, racing the decisions.
        let first = &ids[0];
        visitors.push(async move {
            let client_id = format!("v-{n}");
            store
                .append_message(first, "visitor", Some(&client_id), "hi")
                .await
        });
    }
    let visitors = join_all(visitors).await;
    assert!(visitors.iter().all(Result::is_ok), "{visitors:?}");
    for (n, commit) in commits {
        let outcomes = commit.await;
        if n == 7 {
            assert!(outcomes.iter().all(Result::is_err), "{outcomes:?}");
        } else {
            assert!(
                matches!(
                    outcomes.as_slice(),
                    [Ok(Wrote::Done), Ok(Wrote::Message(_))]
                ),
                "{outcomes:?}"
            );
        }
    }
    let kept: Vec<i32> = (0..40).filter(|n| *n != 7).collect();
    for id in &ids {
        let log: Vec<String> = store
            .routing_log(id)
            .await
            .expect("log")
            .into_iter()
            .map(|l| l.text)
            .collect();
        let want: Vec<String> = kept.iter().map(|n| format!("line {n}")).collect();
        assert_eq!(log, want, "in decision order, the failed one left out");
        let messages = store.messages_after(id, 0).await.expect("messages");
        let seqs: Vec<i64> = messages.iter().map(|m| m.seq).collect();
        assert_eq!(
            seqs,
            (1..=messages.len() as i64).collect::<Vec<_>>(),
            "gap-free"
        );
        let systems: Vec<&str> = messages
            .iter()
            .filter(|m| m.author == "system")
            .map(|m| m.body.as_str())
            .collect();
        let want: Vec<String> = kept.iter().map(|n| format!("system {n}")).collect();
        assert_eq!(systems, want, "in decision order, the failed one left out");
    }
}
