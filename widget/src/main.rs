//! The frame app's entry point: Trunk builds this binary (see `index.html`).

fn main() {
    canal_widget::mount();
}
