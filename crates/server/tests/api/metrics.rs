//! `GET /metrics`: counters by route pattern, the queues read from the database, and an
//! exposition that a real Prometheus parser reads.

use crate::helpers::TestApp;

async fn scrape(app: &TestApp) -> String {
    let r = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    r.text().await.unwrap()
}

fn value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series).and_then(|rest| rest.trim().parse().ok()))
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_read_the_queues() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let (token, _, req) = app.submitted("resident@demo", "mts").await;
    app.request(&token, &req["id"]).await;
    app.get("/api/v1/terminations/999999", Some(&token)).await.problem(404, "not_found");
    let text = scrape(&app).await;
    let get = |route: &str, status: u16| {
        value(&text, &format!("simexit_http_requests_total{{method=\"GET\",route=\"{route}\",status=\"{status}\"}}"))
    };
    assert!(get("/api/v1/terminations/{id}", 200).unwrap() >= 1.0, "{text}");
    assert_eq!(get("/api/v1/terminations/{id}", 404), Some(1.0), "by route pattern, not by raw path");
    assert!(!text.lines().any(|l| l.contains("route=\"/api/v1/terminations/999999")), "no series per id");
    // Made-up methods share one label instead of opening a series each.
    for i in 0..5 {
        let method = reqwest::Method::from_bytes(format!("BREW{i}").as_bytes()).unwrap();
        app.client.request(method, format!("{}/api/v1/operators", app.base)).send().await.unwrap();
    }
    let text = scrape(&app).await;
    assert!(!text.contains("BREW"), "{text}");
    assert!(text.contains("method=\"other\""), "{text}");
    let bucket =
        "simexit_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/terminations/{id}\",le=\"+Inf\"}";
    assert!(value(&text, bucket).unwrap() >= 2.0);
    assert_eq!(value(&text, "simexit_review_requests{state=\"open\"}"), Some(1.0));
    assert_eq!(value(&text, "simexit_review_requests{state=\"overdue\"}"), Some(0.0));
    assert_eq!(value(&text, "simexit_termination_requests{state=\"submitted\"}"), Some(1.0));
    assert!(value(&text, "simexit_jobs{state=\"scheduled\"}").unwrap() >= 1.0, "the review deadline's timer");

    // Past the deadline: the breach shows.
    app.advance_days(7).await;
    let text = scrape(&app).await;
    assert_eq!(value(&text, "simexit_review_requests{state=\"overdue\"}"), Some(1.0), "{text}");
    assert_eq!(value(&text, "simexit_review_sla_breaches"), Some(1.0));
    assert_eq!(value(&text, "simexit_jobs{state=\"failed\"}"), Some(0.0));

    // Prometheus's own parser (the Python client's), when CI has installed it.
    if std::env::var_os("SIMEXIT_TEST_PROMETHEUS").is_some() {
        let file = app.dir.path().join("metrics.txt");
        std::fs::write(&file, &text).unwrap();
        let script = "import sys\nfrom prometheus_client.parser import text_string_to_metric_families as p\n\
                      fams = list(p(open(sys.argv[1]).read()))\n\
                      print(len(fams), 'families', sum(len(f.samples) for f in fams), 'samples')";
        let out = std::process::Command::new("python3").args(["-c", script]).arg(&file).output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "prometheus_client could not parse /metrics: {said}");
        println!("prometheus_client parsed /metrics: {said}");
    }
}
