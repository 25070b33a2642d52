//! Waiting for a host, for scripts that start a lattice.

use std::time::Duration;

use crate::control_interface::operations::GetHosts;
use crate::control_interface::peer::Client;
use crate::control_interface::subjects::HostPingSubject;
use crate::control_interface::types::HostSummaryResponse;
use crate::runtime::nats::{Reply, RequestError};

impl Client {
    /// Pings the lattice until the host `host_id` answers (any host, with `None`), and returns
    /// its summary: for a script that has just started a host and must not send it commands
    /// before it listens. After `timeout`, an error of kind
    /// [`Timeout`](crate::runtime::nats::RequestErrorKind::Timeout).
    pub async fn wait_for_host(
        &self,
        host_id: Option<&str>,
        timeout: Duration,
    ) -> Result<Reply<HostSummaryResponse>, RequestError> {
        let subject = HostPingSubject::new(self.lattice())?;
        let gather = match host_id {
            Some(_) => *self.requester().options().gather_options(),
            None => self.requester().options().gather_options().expected(1),
        };
        self.requester()
            .wait_for::<GetHosts>(&subject, &(), &gather, timeout, |reply| {
                let id = reply.response.as_ref().map(|summary| summary.id.as_str());
                id.is_some() && (host_id.is_none() || id == host_id)
            })
            .await
    }
}
