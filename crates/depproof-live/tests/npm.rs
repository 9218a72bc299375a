//! The client against a local npm registry, with faults.

mod support;

use std::time::Duration;

use depproof_live::{Live, LiveConfig, Outcome, RegistryUrls};
use depproof_registry::Ecosystem;
use support::fake_npm::{FakeNpm, Fault, document};

fn config(npm: &str) -> LiveConfig {
    LiveConfig {
        npm: RegistryUrls {
            public: npm.to_owned(),
            private: None,
        },
        pypi: RegistryUrls {
            public: "http://127.0.0.1:9/simple/".into(),
            private: None,
        },
        cache_dir: None,
        timeout: Duration::from_millis(1500),
        connect_timeout: Duration::from_millis(500),
        retries: 2,
        backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
        ..LiveConfig::default()
    }
}

fn one(live: &Live, name: &str) -> Outcome {
    let facts = live
        .settle(&[(Ecosystem::Npm, name.to_owned())])
        .expect("settle");
    facts
        .get(Ecosystem::Npm, name)
        .unwrap_or_else(|| panic!("no answer for {name}"))
        .public
        .outcome
        .clone()
}

fn failure(o: Outcome) -> String {
    match o {
        Outcome::Failed { reason } => reason,
        other => panic!("expected a failed lookup, got {other:?}"),
    }
}

fn server() -> FakeNpm {
    let s = FakeNpm::start();
    s.publish(document(
        "@acme/widget",
        &[
            ("1.0.0", "2025-01-02T03:04:05.000Z"),
            ("1.1.0", "2025-02-01T00:00:00.000Z"),
        ],
    ));
    s.publish(document(
        "plain-pkg",
        &[("0.1.0", "2024-05-01T00:00:00.000Z")],
    ));
    s
}

#[test]
fn facts_of_existing_and_missing_packages() {
    let s = server();
    let live = Live::new(config(&s.url())).unwrap();
    let facts = live
        .settle(&[
            (Ecosystem::Npm, "@acme/widget".into()),
            (Ecosystem::Npm, "no-such-package-here".into()),
            (Ecosystem::Npm, "plain-pkg".into()),
        ])
        .unwrap();
    let w = facts.get(Ecosystem::Npm, "@acme/widget").unwrap();
    let f = w.public.facts().expect("found");
    assert_eq!(f.name, "@acme/widget");
    assert_eq!(f.first_release.as_deref(), Some("2025-01-02T03:04:05.000Z"));
    assert_eq!(f.latest_version.as_deref(), Some("1.1.0"));
    assert_eq!(
        f.latest_release.as_deref(),
        Some("2025-02-01T00:00:00.000Z")
    );
    assert_eq!(f.releases, 2);
    assert_eq!(w.public.registry, s.url());
    assert!(!w.public.cached);
    assert_eq!(
        facts
            .get(Ecosystem::Npm, "no-such-package-here")
            .unwrap()
            .public
            .outcome,
        Outcome::Missing
    );
    assert!(
        facts
            .get(Ecosystem::Npm, "plain-pkg")
            .unwrap()
            .public
            .facts()
            .is_some()
    );
    // Scoped names keep the `@` and escape the `/`.
    assert!(
        s.requests().iter().any(|r| r == "/@acme%2Fwidget"),
        "{:?}",
        s.requests()
    );
}

#[test]
fn an_upstream_that_is_down_is_a_failed_lookup() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let live = Live::new(config(&format!("http://127.0.0.1:{port}/"))).unwrap();
    let reason = failure(one(&live, "plain-pkg"));
    assert!(reason.contains("cannot connect"), "{reason}");
    assert!(reason.contains("after 3 attempts"), "{reason}");
}

#[test]
fn a_slow_upstream_times_out() {
    let s = server();
    s.fault("/plain-pkg", Fault::Slow(Duration::from_secs(4)));
    let mut c = config(&s.url());
    c.timeout = Duration::from_millis(300);
    c.retries = 1;
    let live = Live::new(c).unwrap();
    let reason = failure(one(&live, "plain-pkg"));
    assert!(reason.contains("timed out"), "{reason}");
}

#[test]
fn rate_limits_are_waited_out_as_the_registry_asks() {
    let s = server();
    s.fault(
        "/plain-pkg",
        Fault::RateLimited {
            times: 2,
            retry_after: 1,
        },
    );
    let live = Live::new(config(&s.url())).unwrap();
    let started = std::time::Instant::now();
    assert!(matches!(one(&live, "plain-pkg"), Outcome::Found(_)));
    // Two waits of the second asked for, not the 20 ms backoff.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        s.requests().iter().filter(|r| *r == "/plain-pkg").count(),
        3
    );

    s.fault(
        "/plain-pkg",
        Fault::RateLimited {
            times: 1,
            retry_after: 3600,
        },
    );
    let reason = failure(one(&live, "plain-pkg"));
    assert!(reason.contains("HTTP 429"), "{reason}");
    assert!(reason.contains("retry after 3600s"), "{reason}");
}

#[test]
fn rate_limits_given_as_http_dates_are_waited_out() {
    let s = server();
    let hits = |s: &FakeNpm| s.requests().iter().filter(|r| *r == "/plain-pkg").count();
    let mut c = config(&s.url());
    // A backoff no test waits for: a date read as "retry now" must not fall back to it.
    c.backoff = Duration::from_secs(60);
    c.retries = 1;
    let live = Live::new(c).unwrap();

    // IMF-fixdate two seconds ahead: waited out (at least the one whole second left after
    // the date's rounding down), then answered.
    let ahead = std::time::SystemTime::now() + Duration::from_secs(2);
    s.fault(
        "/plain-pkg",
        Fault::RateLimitedWith {
            times: 1,
            retry_after: httpdate::fmt_http_date(ahead),
        },
    );
    let started = std::time::Instant::now();
    assert!(matches!(one(&live, "plain-pkg"), Outcome::Found(_)));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(hits(&s), 2);

    // Dates in the past, in the obsolete forms a recipient must accept: retry now.
    for past in ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
        s.fault(
            "/plain-pkg",
            Fault::RateLimitedWith {
                times: 1,
                retry_after: past.to_owned(),
            },
        );
        let before = hits(&s);
        let started = std::time::Instant::now();
        assert!(
            matches!(one(&live, "plain-pkg"), Outcome::Found(_)),
            "{past}"
        );
        assert_eq!(hits(&s), before + 2, "{past}");
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{past}: waited the backoff"
        );
    }

    // A date beyond the longest wait fails the lookup at once, naming the date.
    let far = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(7200));
    s.fault(
        "/plain-pkg",
        Fault::RateLimitedWith {
            times: 5,
            retry_after: far.clone(),
        },
    );
    let before = hits(&s);
    let reason = failure(one(&live, "plain-pkg"));
    assert!(reason.contains("HTTP 429"), "{reason}");
    assert!(reason.contains(&far), "{reason}");
    assert!(reason.contains("more than the 5s"), "{reason}");
    assert_eq!(hits(&s), before + 1);
}

#[test]
fn server_errors_are_retried_then_reported() {
    let s = server();
    s.fault("/plain-pkg", Fault::Error500(2));
    let live = Live::new(config(&s.url())).unwrap();
    assert!(matches!(one(&live, "plain-pkg"), Outcome::Found(_)));
    s.fault("/plain-pkg", Fault::Error500(100));
    let reason = failure(one(&live, "plain-pkg"));
    assert!(reason.contains("HTTP 500"), "{reason}");
    assert!(reason.contains("after 3 attempts"), "{reason}");
}

#[test]
fn truncated_bad_and_huge_answers_are_failed_lookups() {
    let s = server();
    s.fault("/plain-pkg", Fault::Truncated);
    let live = Live::new(config(&s.url())).unwrap();
    let reason = failure(one(&live, "plain-pkg"));
    assert!(reason.contains("/plain-pkg"), "{reason}");

    s.fault("/plain-pkg", Fault::BadJson);
    let reason = failure(one(&live, "plain-pkg"));
    assert!(reason.contains("not an npm package document"), "{reason}");

    s.fault("/plain-pkg", Fault::Huge(3 * 1024 * 1024));
    let mut c = config(&s.url());
    c.max_body = 1024 * 1024;
    let live = Live::new(c).unwrap();
    let reason = failure(one(&live, "plain-pkg"));
    assert!(reason.contains("larger than 1048576 bytes"), "{reason}");
}

#[test]
fn answers_are_cached_and_offline_runs_never_connect() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(&s.url());
    c.cache_dir = Some(dir.path().to_owned());
    let live = Live::new(c.clone()).unwrap();
    assert!(matches!(one(&live, "plain-pkg"), Outcome::Found(_)));
    let before = s.connections.load(std::sync::atomic::Ordering::SeqCst);

    c.offline = true;
    let offline = Live::new(c).unwrap();
    let facts = offline
        .settle(&[
            (Ecosystem::Npm, "plain-pkg".into()),
            (Ecosystem::Npm, "@acme/widget".into()),
        ])
        .unwrap();
    let cached = &facts.get(Ecosystem::Npm, "plain-pkg").unwrap().public;
    assert!(cached.cached);
    assert!(cached.facts().is_some());
    assert!(facts.get(Ecosystem::Npm, "@acme/widget").is_none());
    assert_eq!(
        facts.not_asked,
        vec![(Ecosystem::Npm, "@acme/widget".to_owned())]
    );
    assert_eq!(
        s.connections.load(std::sync::atomic::Ordering::SeqCst),
        before
    );
}

#[test]
fn a_private_registry_is_asked_first() {
    let public = server();
    let private = FakeNpm::start();
    private.publish(document(
        "acme-internal",
        &[("2.0.0", "2023-01-01T00:00:00.000Z")],
    ));
    public.publish(document(
        "acme-internal",
        &[("99.0.0", "2025-06-01T00:00:00.000Z")],
    ));
    let mut c = config(&public.url());
    c.npm.private = Some(private.url());
    let live = Live::new(c).unwrap();
    let facts = live
        .settle(&[(Ecosystem::Npm, "acme-internal".into())])
        .unwrap();
    let r = facts.get(Ecosystem::Npm, "acme-internal").unwrap();
    let p = r.private.as_ref().unwrap();
    assert_eq!(p.registry, private.url());
    assert_eq!(p.facts().unwrap().latest_version.as_deref(), Some("2.0.0"));
    assert_eq!(
        r.public.facts().unwrap().latest_version.as_deref(),
        Some("99.0.0")
    );
}

#[tokio::test]
async fn the_async_entry_point_answers_inside_a_runtime() {
    let s = server();
    let live = Live::new(config(&s.url())).unwrap();
    assert!(
        live.settle(&[]).is_err(),
        "the blocking entry refuses to run on a runtime"
    );
    let facts = live
        .settle_async(&[(Ecosystem::Npm, "plain-pkg".into())])
        .await;
    assert!(
        facts
            .get(Ecosystem::Npm, "plain-pkg")
            .unwrap()
            .public
            .facts()
            .is_some()
    );
}
