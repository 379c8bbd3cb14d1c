//! Use cases that more than one surface (visitor API, admin API, messenger gateway,
//! sockets) runs, called by their handlers with values already parsed. The start of
//! the services layer: the consent ledger's use cases live here so far.

pub mod consents;
