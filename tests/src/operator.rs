//! A NATS operator of a test's own, for servers in operator mode: the operator's key, a system
//! account and the lattice's account, each with its JWT (made here, signed as `nsc` would sign
//! them), and users of the lattice account with the permissions of their role, as `.creds` files.

use std::path::{Path, PathBuf};

use nats_jwt_rs::account::{Account, JetStreamLimits};
use nats_jwt_rs::operator::Operator as OperatorClaims;
use wasmcloud_protocol::runtime::creds::{KeyPair, UserOptions};
use wasmcloud_protocol::runtime::permissions::Permissions;

/// An operator with a system account and one account for the lattice.
pub struct Operator {
    operator: KeyPair,
    system: KeyPair,
    account: KeyPair,
}

impl Default for Operator {
    fn default() -> Self {
        Self::new()
    }
}

impl Operator {
    /// Fresh keys for all three.
    pub fn new() -> Self {
        Self {
            operator: KeyPair::new_operator(),
            system: KeyPair::new_account(),
            account: KeyPair::new_account(),
        }
    }

    /// The lattice account's key pair, which signs its users' JWTs.
    pub fn account(&self) -> &KeyPair {
        &self.account
    }

    /// The lattice account's seed, as `--account-seed` reads it.
    pub fn account_seed(&self) -> String {
        self.account.seed().expect("made with a seed")
    }

    /// An account JWT for `account`, signed by the operator, with JetStream allowed if
    /// `jetstream` (never for the system account: the server refuses to start).
    fn account_jwt(&self, name: &str, account: &KeyPair, jetstream: bool) -> String {
        let mut claims = Account::new_claims(name.to_owned(), account.public_key());
        if let Some(limits) = claims.nats.limits.as_mut().filter(|_| jetstream) {
            limits.jetstream = Some(JetStreamLimits {
                memory_storage: Some(-1),
                disk_storage: Some(-1),
                streams: Some(-1),
                consumer: Some(-1),
                ..JetStreamLimits::default()
            });
        }
        claims.encode(&self.operator).expect("the operator signs")
    }

    /// The server configuration that trusts this operator, with both accounts preloaded in a
    /// memory resolver.
    pub fn config(&self) -> String {
        let mut claims =
            OperatorClaims::new_claims("test-operator".into(), self.operator.public_key());
        claims.nats.system_account = Some(self.system.public_key());
        let operator = claims.encode(&self.operator).expect("the operator signs");
        format!(
            "operator: \"{operator}\"\nsystem_account: {system}\nresolver: MEMORY\nresolver_preload: {{\n  {system}: \"{system_jwt}\"\n  {account}: \"{account_jwt}\"\n}}\n",
            system = self.system.public_key(),
            system_jwt = self.account_jwt("SYS", &self.system, false),
            account = self.account.public_key(),
            account_jwt = self.account_jwt("lattice", &self.account, true),
        )
    }

    /// A `.creds` file for a user of the lattice account with `permissions`, written to a fresh
    /// file of this process's own.
    pub fn user(&self, name: &str, permissions: &Permissions, options: UserOptions) -> PathBuf {
        let user = permissions
            .new_user(&self.account, &options.name(name))
            .expect("an account key signs");
        write_creds(name, &user.to_creds_file())
    }
}

/// Writes a `.creds` file named for `name`, fresh for each call, under the repository's
/// `target/tmp` (where cargo puts integration tests' scratch files), not the machine's shared
/// temporary folder: a `.creds` file holds a user's seed, and the files outlive the run (the
/// real host's harness hands them to processes that read them after the operator is gone).
pub fn write_creds(name: &str, text: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tmp");
    std::fs::create_dir_all(&dir).expect("target/tmp is made");
    let path = dir.join(format!("{}-{n}-{name}.creds", std::process::id()));
    std::fs::write(&path, text).expect("the creds file is written");
    path
}
