//! `mcu serve`: the built-in SSH server (see `serve`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::{CmdResult, Failure, session, usage};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on
    #[arg(long, value_name = "ADDR:PORT", default_value = crate::serve::DEFAULT_LISTEN)]
    pub listen: String,
    /// The server's host key (made on first start, mode 0600; default: ssh/host_ed25519 in the
    /// workspace)
    #[arg(long, value_name = "FILE")]
    pub host_key: Option<PathBuf>,
    /// Do not import from inbox/ in the background
    #[arg(long)]
    pub no_import: bool,
}

pub fn run(ws: &Workspace, a: ServeArgs) -> CmdResult {
    let listen: SocketAddr = a.listen.parse().map_err(|_| {
        usage(format!(
            "--listen: «{}» is not an address and port (e.g. 0.0.0.0:2222)",
            a.listen
        ))
    })?;
    // The account running the server must be an operator; the one importer runs as it.
    let (_, grants) = session(ws)?;
    let opts = crate::serve::Options {
        listen,
        host_key: a
            .host_key
            .unwrap_or_else(|| crate::serve::default_host_key(ws)),
        importer: (!a.no_import && grants.may_import()).then(|| grants.login.clone()),
    };
    crate::serve::run(ws, &opts, |addr| {
        println!("mcu serve: listening on {addr}");
    })
    .map_err(|message| Failure { code: 1, message })?;
    Ok(0)
}
