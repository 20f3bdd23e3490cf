//! Notification templates: one TOML file per language, one table per event, each with an
//! e-mail `subject` and `text` (and optional `html`) and an `sms` text.
//!
//! Placeholders are `{name}`, filled from the message's values; `{name|one|few|many}` picks the
//! word that agrees with the number `name` by the language's plural rules (Russian has three
//! forms: 1 день, 2 дня, 5 дней; English two; Chinese one, so its templates need none).
//! Operators override any template by putting the same table in a file of their own.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::Language;

/// Every event simexit notifies about, by template name.
pub const EVENTS: [&str; 10] = [
    "request_submitted",
    "info_requested",
    "request_approved",
    "request_rejected",
    "request_completed",
    // Completion where the policy allows no revocation: nothing promises one.
    "request_completed_final",
    "aging_reminder",
    "refund_paid",
    "password_reset_code",
    "sign_in_code",
];

/// One event's texts in one language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Template {
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub html: Option<String>,
    #[serde(default)]
    pub sms: Option<String>,
}

/// A message ready for a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    Email { subject: String, text: String, html: String },
    Sms { text: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error("no `{event}` template for {channel} in `{language}` or the fallback language")]
    Missing { event: String, channel: String, language: String },
    #[error("template `{event}` needs the value `{key}`")]
    MissingValue { event: String, key: String },
    #[error("template `{event}`: `{key}` must be a whole number to choose a plural form")]
    NotANumber { event: String, key: String },
    #[error("template `{event}`: unclosed `{{`")]
    Unclosed { event: String },
}

/// Plural category of `n` in a language: 0 = one, 1 = few, 2 = many (as the forms are listed).
pub fn plural_index(language: Language, n: i64) -> usize {
    let n = n.unsigned_abs();
    match language {
        Language::Ru => {
            let (d, h) = (n % 10, n % 100);
            if d == 1 && h != 11 {
                0
            } else if (2..=4).contains(&d) && !(12..=14).contains(&h) {
                1
            } else {
                2
            }
        }
        Language::En => usize::from(n != 1),
        Language::Zh => 0,
    }
}

/// Fills `{name}` and `{name|forms…}` from `values`.
pub fn fill(
    event: &str,
    text: &str,
    language: Language,
    values: &BTreeMap<String, String>,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('}').ok_or_else(|| TemplateError::Unclosed { event: event.into() })?;
        let mut parts = after[..end].split('|');
        let key = parts.next().unwrap_or_default().trim();
        let value =
            values.get(key).ok_or_else(|| TemplateError::MissingValue { event: event.into(), key: key.into() })?;
        let forms: Vec<&str> = parts.collect();
        if forms.is_empty() {
            out.push_str(value);
        } else {
            let n: i64 =
                value.parse().map_err(|_| TemplateError::NotANumber { event: event.into(), key: key.into() })?;
            let i = plural_index(language, n).min(forms.len() - 1);
            out.push_str(forms[i]);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Templates of every language, built in and overridden.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    by_language: BTreeMap<(Language, String), Template>,
}

const BUILT_IN: [(Language, &str, &str); 3] = [
    (Language::Ru, "ru.toml", include_str!("../../../data/notifications/ru.toml")),
    (Language::En, "en.toml", include_str!("../../../data/notifications/en.toml")),
    (Language::Zh, "zh.toml", include_str!("../../../data/notifications/zh.toml")),
];

impl Templates {
    /// The templates shipped with simexit.
    pub fn builtin() -> Result<Self, TemplateError> {
        let mut t = Templates::default();
        for (language, file, text) in BUILT_IN {
            t.merge(language, file, text)?;
        }
        Ok(t)
    }

    /// Adds or replaces templates from a file of one language; a field left out keeps the
    /// template it overrides. Unknown events and fields are errors.
    pub fn merge(&mut self, language: Language, file: &str, text: &str) -> Result<(), TemplateError> {
        let bad = |message: String| TemplateError::File { file: file.into(), message };
        let tables: BTreeMap<String, Template> = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        for (event, t) in tables {
            if !EVENTS.contains(&event.as_str()) {
                return Err(bad(format!("`{event}` is not an event; events are {}", EVENTS.join(", "))));
            }
            let slot = self.by_language.entry((language, event)).or_default();
            slot.subject = t.subject.or(slot.subject.take());
            slot.text = t.text.or(slot.text.take());
            slot.html = t.html.or(slot.html.take());
            slot.sms = t.sms.or(slot.sms.take());
        }
        Ok(())
    }

    /// Renders `event` for a channel (`email` or `sms`) in `language`, or in `fallback` when
    /// that language has no such template.
    pub fn render(
        &self,
        event: &str,
        channel: &str,
        language: Language,
        fallback: Language,
        values: &BTreeMap<String, String>,
    ) -> Result<Rendered, TemplateError> {
        let pick = |lang: Language| {
            let t = self.by_language.get(&(lang, event.to_owned()))?;
            let usable = if channel == "sms" { t.sms.is_some() } else { t.subject.is_some() && t.text.is_some() };
            usable.then_some((lang, t))
        };
        let (lang, t) = pick(language).or_else(|| pick(fallback)).ok_or_else(|| TemplateError::Missing {
            event: event.into(),
            channel: channel.into(),
            language: language.as_str().into(),
        })?;
        let f = |s: &str| fill(event, s, lang, values);
        if channel == "sms" {
            return Ok(Rendered::Sms { text: f(t.sms.as_deref().unwrap_or_default())? });
        }
        let text = f(t.text.as_deref().unwrap_or_default())?;
        let html = match &t.html {
            Some(h) => {
                let escaped: BTreeMap<String, String> =
                    values.iter().map(|(k, v)| (k.clone(), escape_html(v))).collect();
                fill(event, h, lang, &escaped)?
            }
            None => text
                .split("\n\n")
                .map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>")))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        Ok(Rendered::Email { subject: f(t.subject.as_deref().unwrap_or_default())?, text, html })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn russian_has_three_plural_forms_english_two_chinese_one() {
        let words = |lang, n: i64| {
            let v = values(&[("days", &n.to_string())]);
            fill("t", "{days} {days|день|дня|дней}", lang, &v).unwrap()
        };
        let ru: Vec<String> = [1, 2, 5, 11, 21, 22, 25, 111, 112].iter().map(|&n| words(Language::Ru, n)).collect();
        assert_eq!(
            ru,
            ["1 день", "2 дня", "5 дней", "11 дней", "21 день", "22 дня", "25 дней", "111 дней", "112 дней"]
        );
        assert_eq!(fill("t", "{n} {n|day|days}", Language::En, &values(&[("n", "1")])).unwrap(), "1 day");
        assert_eq!(fill("t", "{n} {n|day|days}", Language::En, &values(&[("n", "3")])).unwrap(), "3 days");
        assert_eq!(fill("t", "{n}天", Language::Zh, &values(&[("n", "3")])).unwrap(), "3天");
    }

    #[test]
    fn every_built_in_event_renders_in_every_language_for_both_channels() {
        let t = Templates::builtin().unwrap();
        let v = values(&[
            ("request_id", "42"),
            ("msisdn", "+7 916 ***-**-67"),
            ("deadline", "2026-12-01 23:59 MSK (Europe/Moscow)"),
            ("deadline_short", "2026-12-01 23:59 MSK"),
            ("reason", "нечитаемый скан"),
            ("link", "https://simexit.example/certificates/C-1"),
            ("aging_until", "2027-01-30 14:05 MSK (Europe/Moscow)"),
            ("aging_until_short", "2027-01-30 14:05 MSK"),
            ("days", "3"),
            ("certificate", "MTS-2026-K7Q3-XP9M-Z2R4-T6V8"),
            ("amount", "150.00"),
            ("code", "123456"),
            ("minutes", "15"),
        ]);
        for lang in [Language::Ru, Language::En, Language::Zh] {
            for event in EVENTS {
                for channel in ["email", "sms"] {
                    let r = t.render(event, channel, lang, Language::Ru, &v);
                    assert!(r.is_ok(), "{event} {channel} {lang:?}: {r:?}");
                }
            }
        }
        let Rendered::Email { subject, html, .. } =
            t.render("request_rejected", "email", Language::En, Language::Ru, &v).unwrap()
        else {
            panic!("an e-mail")
        };
        assert!(subject.contains("42"), "{subject}");
        assert!(!html.contains('<') || html.contains("<p>"), "{html}");
    }

    #[test]
    fn overrides_replace_single_fields_and_unknown_events_are_refused() {
        let mut t = Templates::builtin().unwrap();
        t.merge(Language::En, "mine/en.toml", "[request_submitted]\nsms = \"Got it: #{request_id}\"\n").unwrap();
        let v = values(&[("request_id", "7"), ("msisdn", "x"), ("deadline", "d")]);
        assert_eq!(
            t.render("request_submitted", "sms", Language::En, Language::Ru, &v).unwrap(),
            Rendered::Sms { text: "Got it: #7".into() }
        );
        assert!(t.render("request_submitted", "email", Language::En, Language::Ru, &v).is_ok(), "the subject stays");
        let err = t.merge(Language::En, "mine/en.toml", "[request_lost]\nsms = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("mine/en.toml: `request_lost` is not an event"), "{err}");
        let missing = t.render("request_submitted", "sms", Language::En, Language::Ru, &values(&[])).unwrap_err();
        assert_eq!(missing.to_string(), "template `request_submitted` needs the value `request_id`");
    }

    #[test]
    fn values_are_escaped_in_html() {
        let t = Templates::builtin().unwrap();
        let v = values(&[("request_id", "1"), ("reason", "<script>alert(1)</script>")]);
        let Rendered::Email { html, .. } =
            t.render("request_rejected", "email", Language::En, Language::Ru, &v).unwrap()
        else {
            panic!("an e-mail")
        };
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"), "{html}");
    }
}
