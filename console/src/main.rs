//! The console's entry point: Trunk builds this binary (see `console/index.html`).

fn main() {
    canal_console::mount();
}
