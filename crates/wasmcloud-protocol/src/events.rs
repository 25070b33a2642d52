//! Lattice events from their data, as a host makes them: each event type has a `new(source,
//! data)` that fills in the CloudEvents envelope (a new id, the time now, and the fields that
//! never change). A field the caller wants otherwise is set with a struct literal:
//!
//! ```
//! use wasmcloud_protocol::lattice_events::types::{HostStoppedData, HostStoppedPayload};
//!
//! let host = "NBZ5AFQTT2JTCF3WMOC6L5ZUY6WDOQ2HQALQCYWAUNJKIZJVOPNIOVFE";
//! let stopped = HostStoppedPayload::new(host, HostStoppedData { labels: Default::default() });
//! assert_eq!(stopped.type_.as_str(), "com.wasmcloud.lattice.host_stopped");
//! // The same event with an id of the caller's own:
//! let replayed = HostStoppedPayload { id: uuid::Uuid::nil(), ..stopped.clone() };
//! assert_eq!(replayed.data, stopped.data);
//! ```

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::lattice_events::types::*;

/// A new event id as hosts make them: a ULID (48 bits of milliseconds since the Unix epoch, then
/// 80 random bits) written as a UUID, so ids sort by the time they were made.
pub fn new_event_id() -> uuid::Uuid {
    // Random bits without a random number generator of our own: the standard library's hasher
    // keys are random per process, and a counter tells apart two ids of one millisecond.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let state = std::hash::RandomState::new();
    let random = (u128::from(state.hash_one(n)) << 16) | u128::from(state.hash_one(!n) as u16);
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
        & ((1 << 48) - 1);
    uuid::Uuid::from_u128((millis << 80) | (random & ((1 << 80) - 1)))
}

/// The time now, as an event's `time`.
fn now() -> CloudEventEnvelopeTime {
    CloudEventEnvelopeTime(chrono::DateTime::<chrono::Utc>::from(SystemTime::now()))
}

macro_rules! constructors {
    ($($event:ident($payload:ident, $data:ty)),* $(,)?) => {
        $(
            impl $payload {
                #[doc = concat!(
                    "The `", stringify!($event), "` event of the host `source` (its public key) ",
                    "with `data`: a new id ([`new_event_id`]), the time now, and the CloudEvents ",
                    "fields that never change."
                )]
                pub fn new(source: impl Into<String>, data: $data) -> Self {
                    Self {
                        data,
                        datacontenttype: Default::default(),
                        id: new_event_id(),
                        source: source.into(),
                        specversion: Default::default(),
                        time: now(),
                        type_: Default::default(),
                    }
                }
            }
        )*

        /// The events that have a constructor, by their `LatticeEvent` variant.
        #[cfg(test)]
        const CONSTRUCTED: &[&str] = &[$(stringify!($event)),*];
    };
}

constructors! {
    ComponentScaled(ComponentScaledPayload, ComponentScaledData),
    ComponentScaleFailed(ComponentScaleFailedPayload, ComponentScaleFailedData),
    ProviderStarted(ProviderStartedPayload, ProviderStartedData),
    ProviderStartFailed(ProviderStartFailedPayload, ProviderStartFailedData),
    ProviderStopped(ProviderStoppedPayload, ProviderStoppedData),
    HealthCheckPassed(HealthCheckPassedPayload, HealthCheckData),
    HealthCheckFailed(HealthCheckFailedPayload, HealthCheckData),
    HealthCheckStatus(HealthCheckStatusPayload, HealthCheckData),
    LinkdefSet(LinkdefSetPayload, LinkdefSetData),
    LinkdefSetFailed(LinkdefSetFailedPayload, LinkdefSetFailedData),
    LinkdefDeleted(LinkdefDeletedPayload, LinkdefDeletedData),
    ConfigSet(ConfigSetPayload, ConfigEventData),
    ConfigDeleted(ConfigDeletedPayload, ConfigEventData),
    LabelsChanged(LabelsChangedPayload, LabelsChangedData),
    HostHeartbeat(HostHeartbeatPayload, HostInventory),
    HostStarted(HostStartedPayload, HostStartedData),
    HostStopped(HostStoppedPayload, HostStoppedData),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice_events::messages::LatticeEvent;

    #[test]
    fn every_event_has_a_constructor() {
        let events: Vec<&str> = crate::lattice_events::INFO
            .messages
            .iter()
            .map(|m| m.name)
            .collect();
        let mut constructed: Vec<&str> = CONSTRUCTED.to_vec();
        constructed.sort();
        let mut sorted = events.clone();
        sorted.sort();
        assert_eq!(constructed, sorted);
    }

    #[test]
    fn a_constructed_event_is_the_event_hosts_send() {
        let host = "NBZ5AFQTT2JTCF3WMOC6L5ZUY6WDOQ2HQALQCYWAUNJKIZJVOPNIOVFE";
        let before = SystemTime::now();
        let event = HostStoppedPayload::new(
            host,
            HostStoppedData {
                labels: Default::default(),
            },
        );
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["specversion"], "1.0");
        assert_eq!(json["datacontenttype"], "application/json");
        assert_eq!(json["type"], "com.wasmcloud.lattice.host_stopped");
        assert_eq!(json["source"], host);
        let millis = (event.id.as_u128() >> 80) as i64;
        let made = before.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
        assert!((millis - made).abs() < 5_000, "{millis} {made}");
        assert!((event.time.timestamp_millis() - made).abs() < 5_000);
        let back: LatticeEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, LatticeEvent::HostStopped(event));
    }

    #[test]
    fn ids_differ_and_sort_by_time() {
        let ids: Vec<uuid::Uuid> = (0..1000).map(|_| new_event_id()).collect();
        let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        let times: Vec<u128> = ids.iter().map(|id| id.as_u128() >> 80).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[cfg(feature = "validate")]
    #[test]
    fn a_constructed_event_keeps_its_schema() {
        let host = "NBZ5AFQTT2JTCF3WMOC6L5ZUY6WDOQ2HQALQCYWAUNJKIZJVOPNIOVFE";
        let data = HostStartedData {
            friendly_name: "quiet-wind-1234".into(),
            labels: Default::default(),
            uptime_seconds: 0,
            version: "1.9.2".into(),
        };
        let body = serde_json::to_vec(&HostStartedPayload::new(host, data)).unwrap();
        crate::validate_subject(
            "wasmbus.evt.default.host_started",
            &crate::runtime::SubjectPrefix::new(),
            crate::runtime::validate::Side::Request,
            &body,
        )
        .unwrap();
    }
}
