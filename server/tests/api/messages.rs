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
