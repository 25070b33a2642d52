//! A role's [`Permissions`] as production NATS runs them, in operator mode: a user JWT (v2)
//! signed by an account key, whose `nats.pub`, `nats.sub` and `nats.resp` are the permissions,
//! and the `.creds` file a process connects with (the JWT and the user's seed).
//!
//! ```no_run
//! # use asyncapi_runtime::permissions::Permissions;
//! # use asyncapi_runtime::creds::{KeyPair, UserOptions};
//! # fn f(permissions: Permissions, account_seed: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let account = KeyPair::from_seed(account_seed)?;
//! let user = permissions.new_user(&account, &UserOptions::new().name("host-1"))?;
//! std::fs::write("host-1.creds", user.to_creds_file())?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use nats_jwt_rs::types::{Permission, ResponsePermission};
use nats_jwt_rs::user::User;
pub use nkeys::{KeyPair, KeyPairType};

use crate::permissions::{Permissions, Rules};

/// What a user JWT says besides the permissions: its name and when it expires.
#[derive(Debug, Clone, Default)]
pub struct UserOptions {
    name: Option<String>,
    expires: Option<SystemTime>,
}

impl UserOptions {
    /// A user named by its public key, that never expires.
    pub fn new() -> Self {
        Self::default()
    }

    /// The user's name (`name` in the JWT).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// When the JWT expires (`exp`); the server refuses it from then on.
    pub fn expires_at(mut self, at: SystemTime) -> Self {
        self.expires = Some(at);
        self
    }

    /// The JWT expires this long from now.
    pub fn expires_in(self, after: Duration) -> Self {
        self.expires_at(SystemTime::now() + after)
    }
}

/// A NATS user: its JWT, signed by the account, and its seed.
#[derive(Clone)]
pub struct UserCreds {
    jwt: String,
    seed: String,
    public_key: String,
}

impl UserCreds {
    /// The user JWT.
    pub fn jwt(&self) -> &str {
        &self.jwt
    }

    /// The user's seed (secret: it signs the server's nonce).
    pub fn seed(&self) -> &str {
        &self.seed
    }

    /// The user's public key (the JWT's subject).
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The `.creds` file NATS clients and tools read (async-nats `credentials_file`, the `nats`
    /// command's `--creds`, a leaf node's remote).
    pub fn to_creds_file(&self) -> String {
        format!(
            "-----BEGIN NATS USER JWT-----\n{}\n------END NATS USER JWT------\n\n\
             ************************* IMPORTANT *************************\n\
             NKEY Seed printed below can be used to sign and prove identity.\n\
             NKEYs are sensitive and should be treated as secrets.\n\n\
             -----BEGIN USER NKEY SEED-----\n{}\n------END USER NKEY SEED------\n\n\
             *************************************************************\n",
            self.jwt, self.seed
        )
    }
}

/// The seed stays out of debug output.
impl fmt::Debug for UserCreds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserCreds")
            .field("public_key", &self.public_key)
            .field("jwt", &self.jwt)
            .finish_non_exhaustive()
    }
}

/// Why a user JWT could not be made.
#[derive(Debug)]
pub enum CredsError {
    /// The signing key is not an account's (its seed starts with `SA`).
    NotAnAccount(KeyPairType),
    /// The signing key has no seed: only a public key was given.
    NoSeed,
    /// The key could not sign.
    Sign(String),
}

impl fmt::Display for CredsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredsError::NotAnAccount(kind) => write!(
                f,
                "a user JWT is signed by an account key (a seed starting with SA), not a {kind:?} key"
            ),
            CredsError::NoSeed => f.write_str("the account key has no seed: it cannot sign"),
            CredsError::Sign(e) => write!(f, "cannot sign the user JWT: {e}"),
        }
    }
}

impl std::error::Error for CredsError {}

impl Permissions {
    /// A user JWT for the user `user` (its public key) with these permissions, signed by
    /// `account`: `nats.pub` and `nats.sub` hold the allow and deny lists (a queue group after
    /// its subject, as in a configuration), and `nats.resp` lets the user answer each request it
    /// receives once, as `allow_responses: true` does.
    pub fn user_jwt(
        &self,
        user: &str,
        account: &KeyPair,
        options: &UserOptions,
    ) -> Result<String, CredsError> {
        match account.key_pair_type() {
            KeyPairType::Account => {}
            other => return Err(CredsError::NotAnAccount(other)),
        }
        if account.seed().is_err() {
            return Err(CredsError::NoSeed);
        }
        let mut claims = User::new_claims(
            options.name.clone().unwrap_or_else(|| user.to_owned()),
            user.to_owned(),
        );
        claims.exp = options.expires.map(|at| {
            at.duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
        let permissions = &mut claims.nats.permissions.permissions;
        permissions.publish = permission(&self.publish);
        permissions.subscribe = permission(&self.subscribe);
        permissions.resp = self.allow_responses.then_some(ResponsePermission {
            max_messages: 1,
            ttl: Duration::ZERO,
        });
        claims
            .encode(account)
            .map_err(|e| CredsError::Sign(e.to_string()))
    }

    /// A new user (a fresh user key) with these permissions, its JWT signed by `account`.
    pub fn new_user(
        &self,
        account: &KeyPair,
        options: &UserOptions,
    ) -> Result<UserCreds, CredsError> {
        let user = KeyPair::new_user();
        let jwt = self.user_jwt(&user.public_key(), account, options)?;
        Ok(UserCreds {
            jwt,
            seed: user.seed().map_err(|e| CredsError::Sign(e.to_string()))?,
            public_key: user.public_key(),
        })
    }
}

/// One direction's rules as a JWT's allow and deny lists.
fn permission(rules: &Rules) -> Permission {
    Permission {
        allow: rules.allow.iter().map(|e| e.to_nats()).collect(),
        deny: rules.deny.iter().map(|e| e.to_nats()).collect(),
    }
}

/// The configuration of a NATS leaf node beside a process of a role (the sidecar layout): it
/// listens on `listen` (a local address: what runs beside it connects without credentials) and
/// connects to the hub at `hub` (a `nats-leaf://` URL) as the user of the `.creds` file at
/// `creds`, whose JWT carries the role's permissions, so the hub refuses what the role may not
/// do, whoever on the leaf does it.
pub fn leaf_node_config(hub: &str, creds: &std::path::Path, listen: &str) -> String {
    let quoted = |s: &str| serde_json::to_string(s).expect("strings serialize");
    format!(
        "# A leaf node beside one process of the lattice: it connects here, on {listen}, without\n\
         # credentials; the leaf connects to the hub as the user of the creds file, whose JWT\n\
         # carries the role's permissions.\n\
         listen: {}\n\
         leafnodes {{\n  remotes = [\n    {{ url: {}, credentials: {} }}\n  ]\n}}\n",
        quoted(listen),
        quoted(hub),
        quoted(&creds.display().to_string()),
    )
}
