//! The full console's entry point (admins): Trunk builds this binary (see
//! `console/admin/index.html`).

fn main() {
    canal_console::mount_admin();
}
