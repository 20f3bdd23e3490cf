//! CAMARA Number Recycling r2.2, driven by the official material in `tests/data/camara/`: one
//! test per scenario of the release's feature file (and of main's, which adds C02.02), each
//! response body validated against the official YAML's schemas by the `jsonschema` crate.

use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::helpers::TestApp;

const R22_YAML: &str = include_str!("../data/camara/r2.2/number-recycling.yaml");
const COMMON_YAML: &str = include_str!("../data/camara/main/CAMARA_common.yaml");
const R22_FEATURE: &str = include_str!("../data/camara/r2.2/number-recycling.feature");
const MAIN_FEATURE: &str = include_str!("../data/camara/main/number-recycling.feature");
const PATH: &str = "/number-recycling/v0.2/check";
/// The demo's lines open at this instant (2026-03-02 12:00 in Moscow).
const NOW: &str = "2026-03-02T09:00:00Z";
const CORRELATOR: &str = "b4333c46-49c0-4f62-80d7-f0ef930f1c46";

/// Every scenario of the official feature files, with the test below that plays it.
const SCENARIOS: &[(&str, &str)] = &[
    ("checkNumberRecycling_01_success_request_response_when_phoneNumberRecycled_is_false", "s01_false"),
    ("checkNumberRecycling_02_success_request_response_when_phoneNumberRecycled_is_true", "s02_true"),
    ("checkNumberRecycling_400.01_invalid_specifiedDate", "s400_01_invalid_specified_date"),
    ("checkNumberRecycling_400.2_no_request_body", "s400_2_no_request_body"),
    ("checkNumberRecycling_400.3_empty_request_body", "s400_3_empty_request_body"),
    ("checkNumberRecycling_400.4_out_of_range", "s400_4_out_of_range"),
    ("checkNumberRecycling_400.5_invalid_argument", "s400_5_invalid_argument"),
    ("checkNumberRecycling_401.1_expired_access_token", "s401_1_expired_access_token"),
    ("checkNumberRecycling_401.2_invalid_access_token", "s401_2_invalid_access_token"),
    ("checkNumberRecycling_401.3_no_header_authorization", "s401_3_no_header_authorization"),
    ("checkNumberRecycling_403.1_invalid_token_permissions", "s403_1_invalid_token_permissions"),
    ("checkNumberRecycling_C02.01_phone_number_not_schema_compliant", "c02_01_phone_number_not_schema_compliant"),
    ("checkNumberRecycling_C02.02_phone_number_not_found", "c02_02_phone_number_not_found"),
    ("checkNumberRecycling_C02.03_unnecessary_phone_number", "c02_03_unnecessary_phone_number"),
    ("checkNumberRecycling_C02.04_missing_phone_number", "c02_04_missing_phone_number"),
    ("checkNumberRecycling_C02.05_phone_number_not_supported", "c02_05_phone_number_not_supported"),
];

fn tags(feature: &str) -> Vec<String> {
    feature.lines().filter_map(|l| l.trim().strip_prefix('@')).map(str::to_owned).collect()
}

#[test]
fn every_official_scenario_has_its_test_and_the_resource_is_the_releases() {
    let mut official = tags(R22_FEATURE);
    official.extend(tags(MAIN_FEATURE));
    official.sort();
    official.dedup();
    let mut ours: Vec<String> = SCENARIOS.iter().map(|(tag, _)| (*tag).to_owned()).collect();
    ours.sort();
    assert_eq!(ours, official, "a scenario of the feature files has no test, or a test no scenario");
    assert!(R22_FEATURE.contains(&format!("And the resource \"{PATH}\"")), "r2.2's resource is {PATH}");
    let yaml = yaml(R22_YAML);
    assert_eq!(yaml["servers"][0]["url"], "{apiRoot}/number-recycling/v0.2");
    assert!(yaml["paths"]["/check"]["post"].is_object());
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap()
}

/// The official schema of a response with this status: r2.2's own responses, then the
/// generic ones of CAMARA_common (429, 500, 503).
fn official_schema(status: u16) -> jsonschema::Validator {
    static DOCS: OnceLock<(Value, Value)> = OnceLock::new();
    let (release, common) = DOCS.get_or_init(|| (yaml(R22_YAML), yaml(COMMON_YAML)));
    let response = format!("Generic{status}");
    let doc = if release["components"]["responses"].get(&response).is_some() { release } else { common };
    assert!(doc["components"]["responses"].get(&response).is_some(), "no official response for {status}");
    let root = json!({
        "$ref": format!("#/components/responses/{response}/content/application~1json/schema"),
        "components": doc["components"],
    });
    jsonschema::draft4::new(&root).unwrap()
}

struct Answer {
    status: u16,
    body: Value,
    content_type: String,
    correlator: Option<String>,
}

impl Answer {
    /// The body holds to the official schema of its status, in JSON, with the correlator sent.
    fn official(&self) -> &Self {
        let errors: Vec<String> = official_schema(self.status).iter_errors(&self.body).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{} {} breaks the official schema: {errors:?}", self.status, self.body);
        assert_eq!(self.content_type, "application/json", "{}", self.body);
        assert_eq!(self.correlator.as_deref(), Some(CORRELATOR), "x-correlator echoed");
        self
    }

    /// A CAMARA error with this status and code, and a message a person can read.
    fn error(&self, status: u16, code: &str) {
        assert_eq!((self.status, self.body["code"].as_str()), (status, Some(code)), "{}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(self.body["message"].as_str().is_some_and(|m| m.len() > 10), "{}", self.body);
        self.official();
    }

    fn recycled(&self) -> bool {
        assert_eq!(self.status, 200, "{}", self.body);
        self.official();
        self.body["phoneNumberRecycled"].as_bool().unwrap()
    }
}

async fn send(app: &TestApp, token: Option<&str>, body: Option<String>) -> Answer {
    let mut req = app.client.post(format!("{}{PATH}", app.base)).header("x-correlator", CORRELATOR);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b);
    }
    let res = req.send().await.unwrap();
    let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (status, content_type, correlator) =
        (res.status().as_u16(), header("content-type").unwrap_or_default(), header("x-correlator"));
    let body = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap_or(Value::Null);
    Answer { status, body, content_type, correlator }
}

async fn check(app: &TestApp, token: &str, number: &str, date: &str) -> Answer {
    send(app, Some(token), Some(json!({ "phoneNumber": number, "specifiedDate": date }).to_string())).await
}

/// A bank's two-legged token and the resident's MTS number, on a demo server a day on.
async fn bank() -> (TestApp, String, String) {
    let app = TestApp::at(NOW).await;
    app.advance_days(1).await;
    let token = app.client_token("admin@demo", &["number-recycling:check"]).await;
    let resident = app.login("resident@demo").await;
    let number = app.line_of(&resident, "mts").await["msisdn"].as_str().unwrap().to_owned();
    (app, token, number)
}

#[tokio::test]
async fn s01_false() {
    let (app, bank, number) = bank().await;
    // The day the resident signed the contract: the holder at its end is the resident.
    assert!(!check(&app, &bank, &number, "2026-03-02").await.recycled());
    assert!(!check(&app, &bank, &number, "2026-03-03").await.recycled());
}

#[tokio::test]
async fn s02_true() {
    let (app, bank, number) = bank().await;
    // User A held the number until 2021; the resident (user B) holds it now.
    let service = app.service.clone();
    let past = format!("number;date;kind\n{number};2021-01-10;permanent\n");
    tokio::task::spawn_blocking(move || {
        let mts = simexit_domain::OperatorId::parse("mts").unwrap();
        service.import_history(&past, &mts, jiff::civil::date(2020, 1, 1), "past.csv", |_, _| {})
    })
    .await
    .unwrap()
    .unwrap();
    assert!(check(&app, &bank, &number, "2020-06-01").await.recycled(), "user A's day");
    assert!(!check(&app, &bank, &number, "2026-03-02").await.recycled(), "user B's day");
}

#[tokio::test]
async fn s400_01_invalid_specified_date() {
    let (app, bank, number) = bank().await;
    for date in
        ["20241231", "2024-13-01", "2024-02-30", "31.12.2024", "2024-1-05", "", "2024-12-31T00:00:00Z", " 2024-12-31"]
    {
        check(&app, &bank, &number, date).await.error(400, "INVALID_ARGUMENT");
    }
}

#[tokio::test]
async fn s400_2_no_request_body() {
    let (app, bank, _) = bank().await;
    send(&app, Some(&bank), None).await.error(400, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn s400_3_empty_request_body() {
    let (app, bank, _) = bank().await;
    send(&app, Some(&bank), Some("{}".into())).await.error(400, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn s400_4_out_of_range() {
    let (app, bank, number) = bank().await;
    // Today is 2026-03-03 in Moscow: tomorrow has not happened.
    check(&app, &bank, &number, "2026-03-04").await.error(400, "OUT_OF_RANGE");
    check(&app, &bank, &number, "2099-01-01").await.error(400, "OUT_OF_RANGE");
    // Nor can a day before simexit's history of the number be answered (main's guidance).
    let before = check(&app, &bank, &number, "2026-03-01").await;
    before.error(400, "OUT_OF_RANGE");
    assert!(before.body["message"].as_str().unwrap().contains("2026-03-02"), "{}", before.body);
    assert!(!check(&app, &bank, &number, "2026-03-03").await.recycled(), "today is answered");
}

#[tokio::test]
async fn s400_5_invalid_argument() {
    let (app, bank, number) = bank().await;
    for body in [
        json!({ "phoneNumber": number, "specifiedDate": "2026-03-02", "since": "2026-01-01" }).to_string(),
        json!({ "phoneNumber": number, "specifiedDate": 20260302 }).to_string(),
        json!({ "phoneNumber": 79161000000u64, "specifiedDate": "2026-03-02" }).to_string(),
        json!({ "phoneNumber": number }).to_string(),
        json!([{ "phoneNumber": number, "specifiedDate": "2026-03-02" }]).to_string(),
        "null".into(),
        "{\"phoneNumber\":".into(),
    ] {
        send(&app, Some(&bank), Some(body)).await.error(400, "INVALID_ARGUMENT");
    }
    // A correlator off its pattern is an invalid argument too (and is not echoed).
    let r = app
        .client
        .post(format!("{}{PATH}", app.base))
        .bearer_auth(&bank)
        .header("x-correlator", "no spaces allowed")
        .json(&json!({ "phoneNumber": number, "specifiedDate": "2026-03-02" }))
        .send()
        .await
        .unwrap();
    assert_eq!((r.status().as_u16(), r.headers().get("x-correlator")), (400, None));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "INVALID_ARGUMENT");
}

#[tokio::test]
async fn s401_1_expired_access_token() {
    let (app, bank, number) = bank().await;
    app.advance_days(1).await; // client tokens last an hour
    check(&app, &bank, &number, "2026-03-02").await.error(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn s401_2_invalid_access_token() {
    let (app, _, number) = bank().await;
    check(&app, "not-a-token-we-issued", &number, "2026-03-02").await.error(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn s401_3_no_header_authorization() {
    let (app, _, number) = bank().await;
    let body = json!({ "phoneNumber": number, "specifiedDate": "2026-03-02" }).to_string();
    send(&app, None, Some(body)).await.error(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn s403_1_invalid_token_permissions() {
    let (app, _, number) = bank().await;
    let other = app.client_token("admin@demo", &["stores:wait"]).await;
    check(&app, &other, &number, "2026-03-02").await.error(403, "PERMISSION_DENIED");
    let staff = app.login("admin@demo").await;
    check(&app, &staff, &number, "2026-03-02").await.error(403, "PERMISSION_DENIED");
}

#[tokio::test]
async fn c02_01_phone_number_not_schema_compliant() {
    let (app, bank, _) = bank().await;
    for number in
        ["79161000000", "8 (916) 100-00-00", "+7 916 100-00-00", "+7916", "+0123456789", "+7916100000012345", ""]
    {
        check(&app, &bank, number, "2026-03-02").await.error(400, "INVALID_ARGUMENT");
    }
}

#[tokio::test]
async fn c02_02_phone_number_not_found() {
    let (app, bank, _) = bank().await;
    // Well-formed: a Russian number simexit never held, and a number of another country.
    for number in ["+79169999999", "+12025550100", "+79001234"] {
        check(&app, &bank, number, "2026-03-02").await.error(404, "IDENTIFIER_NOT_FOUND");
    }
}

/// Only with a three-legged token, which identifies the subscriber. simexit issues this API
/// two-legged (client credentials) tokens only, so `phoneNumber` is never unnecessary: the
/// subscriber's own session is not a token for this API, and is refused rather than answered.
#[tokio::test]
async fn c02_03_unnecessary_phone_number() {
    let (app, bank, number) = bank().await;
    let resident = app.login("resident@demo").await;
    check(&app, &resident, &number, "2026-03-02").await.error(403, "PERMISSION_DENIED");
    let body = json!({ "specifiedDate": "2026-03-02" }).to_string();
    send(&app, Some(&resident), Some(body)).await.error(403, "PERMISSION_DENIED");
    assert!(!check(&app, &bank, &number, "2026-03-02").await.recycled(), "a two-legged token needs the number");
}

#[tokio::test]
async fn c02_04_missing_phone_number() {
    let (app, bank, _) = bank().await;
    let body = json!({ "specifiedDate": "2026-03-02" }).to_string();
    send(&app, Some(&bank), Some(body)).await.error(422, "MISSING_IDENTIFIER");
}

#[tokio::test]
async fn c02_05_phone_number_not_supported() {
    let vostok = "time_zone = \"Asia/Vladivostok\"";
    let app = TestApp::with_policy(NOW, vostok, &format!("{vostok}\nnumber_recycling = false")).await;
    app.advance_days(1).await;
    let bank = app.client_token("admin@demo", &["number-recycling:check"]).await;
    let foreigner = app.login("foreigner@demo").await;
    let vostok = app.line_of(&foreigner, "vostok").await["msisdn"].as_str().unwrap().to_owned();
    check(&app, &bank, &vostok, "2026-03-02").await.error(422, "SERVICE_NOT_APPLICABLE");
    let beeline = app.line_of(&foreigner, "beeline").await["msisdn"].as_str().unwrap().to_owned();
    assert!(!check(&app, &bank, &beeline, "2026-03-02").await.recycled(), "other operators still answer");
}

/// `specifiedDate` is a day in the number's operator's zone: at 20:00 UTC it is already the
/// next morning in Vladivostok, so that day is today there, not the future; and the day
/// before ended (14:00 UTC) before the line was opened, so it is before the history.
#[tokio::test]
async fn the_specified_date_is_a_day_in_the_operators_zone() {
    let app = TestApp::at("2026-03-02T20:00:00Z").await;
    let bank = app.client_token("admin@demo", &["number-recycling:check"]).await;
    let foreigner = app.login("foreigner@demo").await;
    let vostok = app.line_of(&foreigner, "vostok").await["msisdn"].as_str().unwrap().to_owned();
    assert!(!check(&app, &bank, &vostok, "2026-03-03").await.recycled(), "today in Vladivostok");
    check(&app, &bank, &vostok, "2026-03-04").await.error(400, "OUT_OF_RANGE");
    check(&app, &bank, &vostok, "2026-03-02").await.error(400, "OUT_OF_RANGE");
    let moscow = app.line_of(&foreigner, "mts").await["msisdn"].as_str().unwrap().to_owned();
    check(&app, &bank, &moscow, "2026-03-03").await.error(400, "OUT_OF_RANGE"); // 23:00 on the 2nd there
    assert!(!check(&app, &bank, &moscow, "2026-03-02").await.recycled());
}

/// The generic 429 of CAMARA_common: over the daily quota, with Retry-After.
#[tokio::test]
async fn over_the_quota_is_camaras_429() {
    let app = TestApp::configured(NOW, true, |c| c.lookup.requests_per_day = 2).await;
    let bank = app.client_token("admin@demo", &["number-recycling:check"]).await;
    let resident = app.login("resident@demo").await;
    let number = app.line_of(&resident, "mts").await["msisdn"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        check(&app, &bank, &number, "2026-03-02").await.recycled();
    }
    check(&app, &bank, &number, "2026-03-02").await.error(429, "QUOTA_EXCEEDED");
}
