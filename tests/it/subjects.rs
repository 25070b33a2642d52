//! Subjects: every channel's subjects render and parse back, the routers route every real
//! subject to its operation (with and without a custom root and an account token), and nothing
//! malformed gets through.

use proptest::prelude::*;
use wasmcloud_protocol::control_interface::subjects as ctl;
use wasmcloud_protocol::lattice_events::subjects as evt;
use wasmcloud_protocol::runtime::subject::token_problem;
use wasmcloud_protocol::runtime::{
    ChannelFilter, ChannelInfo, ChannelSubject, Operation, SpecInfo, SubjectError, SubjectPrefix,
};
use wasmcloud_protocol::{control_interface, lattice_events, SPECS};
use workspace_tests::fixtures::fixture_routing;

const HOST: &str = "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N";

fn specs() -> Vec<SpecInfo> {
    let mut all = SPECS.to_vec();
    all.push(fixture_routing::INFO);
    all
}

fn all_channels() -> Vec<(SpecInfo, &'static ChannelInfo)> {
    specs()
        .into_iter()
        .flat_map(|s| s.channels.iter().map(move |c| (s, *c)))
        .collect()
}

/// Any valid NATS token: any characters but the forbidden ones (which are dropped, not
/// rejected, so generation never stalls).
fn token() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 1..10).prop_map(|chars| {
        let t: String = chars
            .into_iter()
            .filter(|c| token_problem(&c.to_string()).is_none())
            .collect();
        if t.is_empty() {
            "x".to_owned()
        } else {
            t
        }
    })
}

/// Values that satisfy each parameter's rules in the specs and the routing fixture.
fn value(param: &'static str) -> BoxedStrategy<String> {
    match param {
        "lattice" => "[A-Za-z0-9_-]{1,16}".boxed(),
        "region" => "[a-z]{1,6}".boxed(),
        "orderId" => "[0-9]{1,8}".boxed(),
        "sku" => "[A-Z]{3}-[0-9]{1,4}".boxed(),
        "version" => token().prop_map(|t| t.replace('/', "_")).boxed(),
        "tail" => prop::collection::vec(token(), 1..4)
            .prop_map(|t| t.join("."))
            .boxed(),
        _ => token().boxed(),
    }
}

/// A channel and values that satisfy its rules.
fn case() -> impl Strategy<Value = (SpecInfo, &'static ChannelInfo, Vec<String>)> {
    prop::sample::select(all_channels()).prop_flat_map(|(spec, info)| {
        let values: Vec<BoxedStrategy<String>> = info.param_names().map(value).collect();
        (Just(spec), Just(info), values).prop_filter(
            "values the channel accepts",
            |(_, info, v)| {
                let refs: Vec<&str> = v.iter().map(String::as_str).collect();
                info.check(&refs).is_ok()
            },
        )
    })
}

fn prefix() -> impl Strategy<Value = SubjectPrefix> {
    (
        prop::option::of("[A-Z][A-Z0-9]{0,10}"),
        prop::option::of(prop::collection::vec("[a-z]{1,5}", 1..3)),
    )
        .prop_map(|(account, root)| {
            let mut p = SubjectPrefix::new();
            if let Some(a) = account {
                p = p.with_account(a).unwrap();
            }
            if let Some(r) = root {
                p = p.with_root(r.join(".")).unwrap();
            }
            p
        })
}

fn named<'a>(info: &ChannelInfo, values: &'a [String]) -> Vec<(&'static str, &'a str)> {
    info.param_names()
        .zip(values.iter().map(String::as_str))
        .collect()
}

proptest! {
    // Failures are kept as explicit tests here, not in files proptest would write beside the source.
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_channel_parses_what_it_renders((spec, info, values) in case(), prefix in prefix()) {
        let pairs = named(info, &values);
        let subject = info.render(&pairs, &prefix).unwrap();
        prop_assert_eq!(info.parse(&subject, &prefix).unwrap(), pairs.clone());
        // The router finds a channel at least as specific, which renders the same subject.
        let (routed, routed_values) = spec.route(&subject, &prefix).expect("routed");
        prop_assert_eq!(routed.render(&routed_values, &prefix).unwrap(), subject.clone());
        if spec.id != fixture_routing::SPEC && !info.param_names().any(|p| p == "tail") {
            prop_assert_eq!(routed, info);
        }
        // The typed subject of the routed channel parses it too.
        if spec.id == control_interface::SPEC && routed.name == ctl::HostGetSubject::CHANNEL.name {
            let typed = ctl::HostGetSubject::parse_with(&subject, &prefix).unwrap();
            prop_assert_eq!(typed.render_with(&prefix), subject);
        }
    }

    #[test]
    fn arbitrary_strings_never_panic_the_routers(
        subject in prop_oneof![any::<String>(), "[a-z.*> ]{0,40}", "wasmbus\\.(ctl\\.v1|evt)\\.[a-z.*>\\- ]{0,30}"],
        prefix in prefix(),
    ) {
        for spec in specs() {
            if let Ok((info, values)) = spec.route(&subject, &prefix) {
                // A subject that routes is rendered back exactly.
                prop_assert_eq!(info.render(&values, &prefix).unwrap(), subject.clone());
            }
        }
        if let Ok(s) = ctl::HostGetSubject::parse_with(&subject, &prefix) {
            prop_assert_eq!(s.render_with(&prefix), subject.clone());
        }
        if let Ok(s) = evt::HostHeartbeatSubject::parse_with(&subject, &prefix) {
            prop_assert_eq!(s.render_with(&prefix), subject.clone());
        }
    }

    #[test]
    fn a_value_with_a_forbidden_character_is_refused(
        (_, info, values) in case().prop_filter("has parameters", |(_, i, _)| !i.params.is_empty()),
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        bad in prop_oneof![Just('.'), Just('*'), Just('>'), Just(' '), Just('\t'), Just('\n'), Just('\u{0}'), Just('\u{2003}')],
    ) {
        let mut values = values;
        let i = which.index(values.len());
        let param = info.params[i].name;
        let mut chars: Vec<char> = values[i].chars().collect();
        let pos = at.index(chars.len() + 1);
        chars.insert(pos, bad);
        values[i] = chars.into_iter().collect();
        // A `>` tail may hold dots: only the other characters are refused there.
        prop_assume!(!(param == "tail" && bad == '.' && pos > 0 && pos < values[i].len() - 1));
        let err = info.render(&named(info, &values), &SubjectPrefix::new()).unwrap_err();
        let refused_param = matches!(&err, SubjectError::InvalidParameter { param: p, .. } if p == param);
        prop_assert!(refused_param, "{:?}", err);
    }

    #[test]
    fn an_empty_value_is_refused((_, info, values) in case().prop_filter("has parameters", |(_, i, _)| !i.params.is_empty()), which in any::<prop::sample::Index>()) {
        let mut values = values;
        let i = which.index(values.len());
        values[i].clear();
        let refused = info.render(&named(info, &values), &SubjectPrefix::new()).is_err();
        prop_assert!(refused);
    }
}

/// Every subject listed in the wire reference, with the operation it belongs to.
fn real_subjects() -> Vec<(&'static str, String, &'static str)> {
    let ctl = |rest: &str, op: &'static str| {
        (
            control_interface::SPEC,
            format!("wasmbus.ctl.v1.default.{rest}"),
            op,
        )
    };
    let mut v = vec![
        ctl("host.ping", "getHosts"),
        ctl(&format!("host.get.{HOST}"), "getHostInventory"),
        ctl(&format!("host.stop.{HOST}"), "stopHost"),
        ctl(&format!("component.scale.{HOST}"), "scaleComponent"),
        ctl(&format!("component.update.{HOST}"), "updateComponent"),
        ctl("component.auction", "performComponentAuction"),
        ctl(&format!("provider.start.{HOST}"), "startProvider"),
        ctl(&format!("provider.stop.{HOST}"), "stopProvider"),
        ctl("provider.auction", "performProviderAuction"),
        ctl("link.put", "putLink"),
        ctl("link.del", "deleteLink"),
        ctl("link.get", "getLinks"),
        ctl("claims.get", "getClaims"),
        ctl("config.put.my-config", "putConfig"),
        ctl("config.get.my-config", "getConfig"),
        ctl("config.del.my-config", "deleteConfig"),
        ctl(&format!("label.put.{HOST}"), "putLabel"),
        ctl(&format!("label.del.{HOST}"), "deleteLabel"),
        ctl("registry.put", "putRegistries"),
    ];
    for event in [
        "component_scaled",
        "component_scale_failed",
        "provider_started",
        "provider_start_failed",
        "provider_stopped",
        "health_check_passed",
        "health_check_failed",
        "health_check_status",
        "linkdef_set",
        "linkdef_set_failed",
        "linkdef_deleted",
        "config_set",
        "config_deleted",
        "labels_changed",
        "host_heartbeat",
        "host_started",
        "host_stopped",
    ] {
        let op = lattice_events::INFO
            .operations
            .iter()
            .find(|o| o.channel.name.ends_with(&format!(".{event}")))
            .unwrap()
            .id;
        v.push((
            lattice_events::SPEC,
            format!("wasmbus.evt.default.{event}"),
            op,
        ));
    }
    v
}

fn operation_of(spec: &SpecInfo, channel: &ChannelInfo) -> &'static str {
    spec.operations
        .iter()
        .find(|o| o.channel == channel)
        .unwrap()
        .id
}

#[test]
fn every_real_subject_routes_to_its_operation_under_any_prefix() {
    let plain = SubjectPrefix::new();
    let custom = SubjectPrefix::new().with_root("acme.ctl").unwrap();
    let tenant = SubjectPrefix::new()
        .with_account("ACCT42")
        .unwrap()
        .with_root("acme.ctl")
        .unwrap();
    let subjects = real_subjects();
    assert_eq!(subjects.len(), 19 + 17);
    for (spec_id, subject, op) in subjects {
        let spec = specs().into_iter().find(|s| s.id == spec_id).unwrap();
        for (prefix, rewritten) in [
            (&plain, subject.clone()),
            (&custom, subject.replacen("wasmbus.ctl", "acme.ctl", 1)),
            (
                &tenant,
                format!("ACCT42.{}", subject.replacen("wasmbus.ctl", "acme.ctl", 1)),
            ),
        ] {
            let (channel, values) = spec
                .route(&rewritten, prefix)
                .unwrap_or_else(|e| panic!("{rewritten} routes nowhere: {e}"));
            assert_eq!(operation_of(&spec, channel), op, "{rewritten}");
            assert_eq!(values[0], ("lattice", "default"));
            // The other spec does not claim it.
            let other = SPECS.iter().find(|s| s.id != spec_id).unwrap();
            assert!(other.route(&rewritten, prefix).is_err(), "{rewritten}");
        }
        // The root of the other prefix does not match.
        assert!(spec.route(&subject, &custom).is_err() || spec_id == lattice_events::SPEC);
    }
}

#[test]
fn event_subjects_keep_their_root_and_take_the_account() {
    let tenant = SubjectPrefix::new()
        .with_account("ACCT42")
        .unwrap()
        .with_root("acme.ctl")
        .unwrap();
    let s = evt::HostHeartbeatSubject::new("default").unwrap();
    assert_eq!(
        s.render_with(&tenant),
        "ACCT42.wasmbus.evt.default.host_heartbeat"
    );
    assert_eq!(
        evt::SpecFilter::default().render_with(&tenant),
        "ACCT42.wasmbus.evt.*.>"
    );
    assert_eq!(
        evt::SpecFilter::default()
            .lattice("prod-eu")
            .unwrap()
            .render(),
        "wasmbus.evt.prod-eu.>"
    );
}

#[test]
fn typed_subjects_build_parse_and_filter() {
    let s = ctl::HostGetSubject::new("prod-eu", HOST).unwrap();
    assert_eq!(
        s.render(),
        format!("wasmbus.ctl.v1.prod-eu.host.get.{HOST}")
    );
    assert_eq!(s.to_string(), s.render());
    let subject = s.render();
    let back = ctl::HostGetSubject::parse(&subject).unwrap();
    assert_eq!((back.lattice(), back.host_id()), ("prod-eu", HOST));
    assert_eq!(back, s);

    let f = ctl::ComponentScaleSubject::filter()
        .lattice("default")
        .unwrap();
    assert_eq!(f.render(), "wasmbus.ctl.v1.default.component.scale.*");
    assert_eq!(
        ctl::ComponentScaleSubject::filter().render(),
        "wasmbus.ctl.v1.*.component.scale.*"
    );
    let f = f.host_id(HOST).unwrap();
    assert_eq!(
        f.render(),
        format!("wasmbus.ctl.v1.default.component.scale.{HOST}")
    );
    assert_eq!(ctl::SpecFilter::CHANNEL.name, "wasmbus.ctl.v1.{lattice}.>");
    let prefix = SubjectPrefix::new().with_root("acme.ctl").unwrap();
    assert_eq!(
        ctl::SpecFilter::default().render_with(&prefix),
        "acme.ctl.v1.*.>"
    );

    let all = evt::AllSubject::parse("wasmbus.evt.default.some.new.event").unwrap();
    assert_eq!(all.tail(), "some.new.event");
    assert_eq!(
        evt::AllSubject::filter()
            .lattice("default")
            .unwrap()
            .render(),
        "wasmbus.evt.default.>"
    );
}

#[test]
fn lattice_ids_are_letters_digits_dash_and_underscore() {
    assert!(ctl::HostPingSubject::new("prod-eu").is_ok());
    assert!(ctl::HostPingSubject::new("prod_eu_2").is_ok());
    for bad in [
        "prod.eu",
        "prod eu",
        "prod/eu",
        "prod*",
        ">",
        "",
        "prod\u{0}",
        "é",
    ] {
        let err = ctl::HostPingSubject::new(bad).unwrap_err();
        assert!(
            matches!(&err, SubjectError::InvalidParameter { param, .. } if param == "lattice"),
            "{bad:?}: {err}"
        );
    }
    let err = ctl::HostPingSubject::new("prod/eu")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "parameter `lattice`: \"prod/eu\" is not allowed: must match ^[A-Za-z0-9_-]+$"
    );
    let err = ctl::ConfigGetSubject::new("default", "my.config")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "parameter `configName`: \"my.config\" is not allowed: a subject token cannot contain '.'"
    );
    // Parsing checks the same rules: a wildcard in a subject is not a value.
    let route = |s| control_interface::INFO.route(s, &SubjectPrefix::new());
    assert!(matches!(
        route("wasmbus.ctl.v1.*.host.ping"),
        Err(SubjectError::InvalidParameter { .. })
    ));
    assert!(matches!(
        route("wasmbus.ctl.v1.default.host.pong"),
        Err(SubjectError::NoMatch { .. })
    ));
}

#[test]
fn routing_prefers_literal_text_then_parameters_then_wildcards() {
    let route = |s: &str| {
        let (channel, _) = fixture_routing::INFO
            .route(s, &SubjectPrefix::new())
            .unwrap();
        channel.name
    };
    assert_eq!(
        route("acme.svc.eu.orders.17"),
        "acme.svc.eu.orders.{orderId}"
    );
    assert_eq!(
        route("acme.svc.us.orders.17"),
        "acme.svc.{region}.orders.{orderId}"
    );
    assert_eq!(
        route("acme.svc.us.orders.stats"),
        "acme.svc.{region}.orders.stats"
    );
    assert_eq!(
        route("acme.svc.us.item/ABC-12/v3"),
        "acme.svc.{region}.item/{sku}/v{version}"
    );
    assert_eq!(
        route("acme.svc.us.refunds.audit"),
        "acme.svc.{region}.*.audit"
    );
    assert_eq!(route("acme.svc.us.anything.else"), "acme.svc.{region}.>");
    // `orderId` is an integer on the {region} channel: "x1" falls through to the wildcard one.
    assert_eq!(route("acme.svc.us.orders.x1"), "acme.svc.{region}.>");
    // eu orders are at most 8 characters; a longer id fails on the eu channel, then matches the
    // {region} channel, whose ids are integers.
    assert_eq!(
        route("acme.svc.eu.orders.123456789"),
        "acme.svc.{region}.orders.{orderId}"
    );
    // A sku that breaks its pattern is reported, naming the parameter.
    let err = fixture_routing::subjects::ItemVSubject::new("us", "abc", "1").unwrap_err();
    assert!(err.to_string().contains("`sku`"), "{err}");
}

#[test]
fn operations_carry_their_channel_messages_and_reply_pattern() {
    use control_interface::operations::*;
    use wasmcloud_protocol::runtime::ReplyPattern;
    assert_eq!(GetHosts::INFO.pattern, ReplyPattern::ScatterGather);
    assert_eq!(
        GetHosts::INFO.channel.name,
        "wasmbus.ctl.v1.{lattice}.host.ping"
    );
    assert_eq!(GetHosts::INFO.reply_id, Some("receiveHostList"));
    assert_eq!(GetHosts::INFO.reply[0].name, "HostSummaryResponse");
    assert_eq!(ScaleComponent::INFO.pattern, ReplyPattern::Single);
    assert_eq!(PutLink::INFO.pattern, ReplyPattern::QueueGroup);
    assert_eq!(PutRegistries::INFO.pattern, ReplyPattern::ScatterGather);
    assert_eq!(
        (
            PutRegistries::INFO.reply_optional,
            GetHosts::INFO.reply_optional
        ),
        (true, false)
    );
    assert_eq!(
        PerformComponentAuction::INFO.pattern,
        ReplyPattern::ScatterGather
    );
    let prefix = SubjectPrefix::new().with_root("acme.ctl").unwrap();
    assert_eq!(
        PutLink::INFO
            .queue_group(&[("lattice", "default")], &prefix)
            .unwrap()
            .as_deref(),
        Some("acme.ctl.v1.default.link")
    );
    assert_eq!(control_interface::operations::ALL.len(), 19);
    assert_eq!(lattice_events::operations::ALL.len(), 18);
    // The typed subject of an operation is its channel's.
    type S<'a> = <GetHostInventory as Operation>::Subject<'a>;
    let subject = format!("wasmbus.ctl.v1.default.host.get.{HOST}");
    let parsed = <S<'_> as ChannelSubject>::parse_with(&subject, &SubjectPrefix::new()).unwrap();
    assert_eq!(parsed.host_id(), HOST);
}

#[test]
fn payload_fields_are_filled_from_the_subject_and_checked_against_it() {
    use wasmcloud_protocol::runtime::Operation;
    use workspace_tests::fixtures::fixture_payload_field::{operations, subjects, types};

    // A required property: an empty value is filled, the same value is left alone, another is
    // refused naming both.
    let subject = subjects::OrderSubject::new("main", "o-7").unwrap();
    let place = |id: &str| types::PlaceOrderMessagePayload {
        item: "tea".into(),
        order_id: id.into(),
    };
    let filled = operations::PlaceOrder::bind(&subject, &place("")).unwrap();
    assert_eq!(filled, Some(place("o-7")));
    assert_eq!(
        operations::PlaceOrder::bind(&subject, &place("o-7")).unwrap(),
        None
    );
    let err = operations::PlaceOrder::bind(&subject, &place("o-8")).unwrap_err();
    assert_eq!(
        (
            err.parameter,
            err.field,
            err.subject_value.as_str(),
            err.payload_value.as_str()
        ),
        ("orderId", "order_id", "o-7", "o-8")
    );

    // An optional property (`Option<String>`) and one with a default (`String`).
    let subject = subjects::CancelSubject::new("main", "o-7").unwrap();
    let cancel = types::CancelOrderMessagePayload {
        order_id: None,
        reason: Some("changed my mind".into()),
    };
    let filled = operations::CancelOrder::bind(&subject, &cancel)
        .unwrap()
        .unwrap();
    assert_eq!(filled.order_id.as_deref(), Some("o-7"));
    assert_eq!(filled.reason, cancel.reason);
    let subject = subjects::NoteSubject::new("main", "o-7").unwrap();
    let note = types::NoteOrderMessagePayload::default();
    let filled = operations::NoteOrder::bind(&subject, &note)
        .unwrap()
        .unwrap();
    assert_eq!(filled.order_id, "o-7");

    // Channels without the parameter, or payloads without the property, share nothing.
    let prices = types::PutPricesMessagePayload([("tea".to_string(), 2.5)].into());
    let subject = subjects::PricesSubject::new("main").unwrap();
    assert_eq!(
        operations::PutPrices::bind(&subject, &prices).unwrap(),
        None
    );
    assert_eq!(
        [
            operations::PutPrices::INFO.reply_optional,
            operations::NoteOrder::INFO.reply_optional,
            operations::PlaceOrder::INFO.reply_optional,
        ],
        [true, true, false]
    );
}
