//! Certificates of termination: issued in the completion's transaction, signed with the
//! current Ed25519 key, checked by anyone by number or offline against the published keys.

use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use simexit_domain::certificate::{
    CertificatePayload, PublicKeys, SigningKeys, certificate_number, pdf_block, seal_pdf,
};
use simexit_domain::{Language, TerminationPolicy};
use simexit_pdf::{Line, Page, render, wrap};
use simexit_store::{CertificateRow, RequestRow, StoreExt, Tx};

use crate::record::audit_as;
use crate::{Result, Service, ServiceError};

/// What a check of a certificate by its number tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateCheck {
    pub number: String,
    /// The signature is valid under a published key, over exactly this payload.
    pub genuine: bool,
    pub payload: CertificatePayload,
    pub key_id: String,
    pub signature: String,
    pub issued_at: Timestamp,
}

/// Label and value rows from `y` down, values wrapped; returns where the next line goes.
fn table(lines: &mut Vec<Line>, rows: &[(&str, String)], mut y: f32) -> Result<f32> {
    for (label, value) in rows {
        lines.push(Line::at(50.0, y, 11.0, *label));
        for part in wrap(value, 11.0, 300.0).map_err(pdf_error)? {
            lines.push(Line::at(245.0, y, 11.0, part));
            y -= 16.0;
        }
        y -= 6.0;
    }
    Ok(y)
}

fn pdf_error(e: simexit_pdf::PdfError) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

/// Title and labels of the certificate, in the certificate's language.
fn labels(language: Language) -> [&'static str; 11] {
    match language {
        Language::Ru => [
            "СПРАВКА О РАСТОРЖЕНИИ ДОГОВОРА",
            "Номер справки",
            "Оператор",
            "Номер телефона",
            "Абонент",
            "Договор расторгнут",
            "Номер закреплён до",
            "Основание",
            "Расчёт",
            "Проверить подлинность:",
            "Подпись Ed25519, ключ",
        ],
        Language::En => [
            "CERTIFICATE OF TERMINATION",
            "Certificate number",
            "Operator",
            "Phone number",
            "Subscriber",
            "Terminated at",
            "Number reserved until",
            "Reason",
            "Settlement",
            "Check it at:",
            "Ed25519 signature, key",
        ],
        Language::Zh => [
            "解约证明",
            "证明编号",
            "运营商",
            "电话号码",
            "用户",
            "解约时间",
            "号码保留至",
            "原因",
            "结算",
            "验证网址：",
            "Ed25519 签名，密钥",
        ],
    }
}

/// Title, labels and the request sentence of the application form.
fn form_labels(language: Language) -> [&'static str; 12] {
    match language {
        Language::Ru => [
            "ЗАЯВЛЕНИЕ О РАСТОРЖЕНИИ ДОГОВОРА",
            "Номер заявки",
            "Оператор",
            "Номер телефона",
            "Абонент",
            "Документ, удостоверяющий личность",
            "Остаток средств",
            "Представленные документы",
            "Дата",
            "Прошу расторгнуть договор об оказании услуг связи по номеру {msisdn}. С условиями расторжения, сроком закрепления номера и порядком возврата средств ознакомлен.",
            "Подпись абонента",
            "Подпись сотрудника",
        ],
        Language::En => [
            "APPLICATION TO TERMINATE THE CONTRACT",
            "Request number",
            "Operator",
            "Phone number",
            "Subscriber",
            "Identity document",
            "Remaining balance",
            "Documents presented",
            "Date",
            "I ask to terminate the communication services contract for the number {msisdn}. I have read the terms of termination, the period the number stays reserved for me and how the balance is returned.",
            "Subscriber's signature",
            "Clerk's signature",
        ],
        Language::Zh => [
            "解约申请书",
            "申请编号",
            "运营商",
            "电话号码",
            "用户",
            "身份证件",
            "余额处理",
            "已提交的文件",
            "日期",
            "本人申请解除号码 {msisdn} 的通信服务合同。本人已知悉解约条件、号码保留期限及余额退还方式。",
            "用户签名",
            "工作人员签名",
        ],
    }
}

/// Rendered certificate PDFs by (number, language): a certificate never changes, so a PDF is
/// rendered once per instance; and the renderings anonymous callers caused in the current
/// minute, per client address, so a crawler cannot make the server render without end.
#[derive(Debug, Default)]
pub struct PdfCache {
    rendered: std::sync::Mutex<std::collections::HashMap<PdfKey, Arc<Vec<u8>>>>,
    renders: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, u32)>>,
}

/// A certificate's number and the language of its PDF.
type PdfKey = (String, Language);

/// Rendered PDFs kept at most; the cache starts over past it.
const PDF_CACHE_SIZE: usize = 2_000;

impl PdfCache {
    fn get(&self, key: &PdfKey) -> Option<Arc<Vec<u8>>> {
        self.rendered.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(key).cloned()
    }

    fn put(&self, key: PdfKey, pdf: Arc<Vec<u8>>) {
        let mut rendered = self.rendered.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if rendered.len() >= PDF_CACHE_SIZE {
            rendered.clear();
        }
        rendered.insert(key, pdf);
    }

    /// Counts a rendering for `client`; `false` when its minute's allowance is used up.
    fn allow(&self, client: &str, per_minute: u32) -> bool {
        let mut renders = self.renders.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = std::time::Instant::now();
        if renders.len() > 100_000 {
            renders.retain(|_, (start, _)| now.duration_since(*start).as_secs() < 60);
        }
        let entry = renders.entry(client.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0).as_secs() >= 60 {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= per_minute
    }
}

/// A random key for a service built without configured keys (tools, tests).
pub fn ephemeral_keys() -> SigningKeys {
    let mut seed = [0u8; 32];
    if getrandom::fill(&mut seed).is_err() {
        tracing::error!("no randomness for an ephemeral certificate key");
    }
    SigningKeys::parse(&SigningKeys::generate("ephemeral", seed)).unwrap_or_else(|_| unreachable_keys())
}

#[allow(clippy::panic, reason = "a generated key always parses")]
fn unreachable_keys() -> SigningKeys {
    panic!("a generated certificate key did not parse")
}

impl Service {
    /// Issues the certificate of a request completed now (inside the completion's transaction).
    pub(crate) fn issue_certificate(
        &self,
        tx: &mut dyn Tx,
        policy: &TerminationPolicy,
        r: &RequestRow,
        now: Timestamp,
        actor: &str,
    ) -> Result<CertificateRow> {
        let zone = policy.zone();
        let year = now.to_zoned(zone.clone()).year();
        let mut random = [0u8; 10];
        getrandom::fill(&mut random).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
        let payload = CertificatePayload {
            number: certificate_number(r.operator.as_str(), year, random),
            operator: r.operator.as_str().into(),
            operator_name: policy.name.clone(),
            line_id: None,
            msisdn: r.msisdn.masked(),
            subscriber: None,
            terminated_at: now.to_string(),
            aging_until: r.aging_until.map(|u| u.to_zoned(zone).date().to_string()).unwrap_or_default(),
            reason: r.reason.as_str().into(),
            settlement: None,
        };
        let (key_id, signature) = self.signing.sign(&payload);
        let row = CertificateRow {
            number: payload.number.clone(),
            request_id: r.id,
            operator: r.operator.clone(),
            payload: payload.canonical(),
            key_id,
            signature,
            issued_at: now,
        };
        tx.insert_certificate(&row)?;
        let details = serde_json::json!({ "request_id": r.id, "key_id": row.key_id });
        let operator = Some(row.operator.clone());
        audit_as(tx, now, actor, "issue_certificate", "certificate", &row.number, details, operator)?;
        Ok(row)
    }

    /// Checks a certificate by its number (public: the subscriber is masked in it).
    pub fn check_certificate(&self, number: &str) -> Result<CertificateCheck> {
        let row = self
            .store
            .read(|tx| tx.certificate(number.trim()))?
            .ok_or_else(|| ServiceError::not_found("certificate", number))?;
        let payload = CertificatePayload::from_canonical(&row.payload)
            .map_err(|e| ServiceError::Internal(format!("certificate {number}: {e}")))?;
        let genuine = self.signing.published().verify(&row.payload, &row.key_id, &row.signature);
        Ok(CertificateCheck {
            number: row.number,
            genuine,
            payload,
            key_id: row.key_id,
            signature: row.signature,
            issued_at: row.issued_at,
        })
    }

    /// The certificate of a request, if it was completed (the owner and staff).
    pub fn certificate_of(&self, who: &crate::Principal, request_id: i64) -> Result<Option<CertificateRow>> {
        self.store.read(|tx| {
            let r = tx
                .request(request_id)?
                .filter(|r| who.sees_request(r))
                .ok_or_else(|| ServiceError::not_found("termination request", request_id))?;
            Ok(tx.certificate_of_request(r.id)?)
        })
    }

    /// [`Service::certificate_pdf`] from the cache; a rendering for an anonymous caller
    /// (`anonymous_client`: its address) counts against that address's allowance.
    pub fn certificate_pdf_cached(
        &self,
        number: &str,
        language: Language,
        anonymous_client: Option<&str>,
    ) -> Result<Arc<Vec<u8>>> {
        let key = (number.trim().to_owned(), language);
        if let Some(pdf) = self.pdfs.get(&key) {
            return Ok(pdf);
        }
        if let Some(client) = anonymous_client
            && !self.pdfs.allow(client, self.config.pdf_renders_per_minute)
        {
            return Err(ServiceError::TooMany {
                code: "too_many_requests",
                message: "too many certificates rendered from this address: try again in a minute".into(),
                retry_after: 60,
            });
        }
        let pdf = Arc::new(self.certificate_pdf(number, language)?);
        self.pdfs.put(key, pdf.clone());
        Ok(pdf)
    }

    /// The certificate as a PDF in `language`, with a QR code to its public check and the
    /// signed block that `simexit verify` reads; the whole file is signed too.
    pub fn certificate_pdf(&self, number: &str, language: Language) -> Result<Vec<u8>> {
        let c = self.check_certificate(number)?;
        let p = &c.payload;
        let labels = labels(language);
        let url = self.certificate_url(&p.number);
        let zone = p.operator.parse().ok().and_then(|op| self.policies.get(&op)).map_or(TimeZone::UTC, |p| p.zone());
        let words = p.readable(language, &zone);
        let mut lines = vec![Line::at(50.0, 780.0, 18.0, labels[0])];
        let rows = [
            (labels[1], p.number.clone()),
            (labels[2], p.operator_name.clone()),
            (labels[3], p.msisdn.clone()),
            (labels[5], words.terminated_at),
            (labels[6], words.aging_until),
            (labels[7], words.reason),
        ];
        let mut y = table(&mut lines, &rows, 735.0)?;
        y -= 10.0;
        lines.push(Line::at(50.0, y, 10.0, labels[9]));
        lines.push(Line::at(50.0, y - 15.0, 10.0, url.clone()));
        let sig = format!("{} {}:", labels[10], c.key_id);
        lines.push(Line::at(50.0, y - 40.0, 8.0, sig));
        for (i, chunk) in c.signature.as_bytes().chunks(64).enumerate() {
            let text = String::from_utf8_lossy(chunk).into_owned();
            lines.push(Line::at(50.0, y - 52.0 - 10.0 * i as f32, 8.0, text));
        }
        let page = Page { lines, qr: Some((url, 420.0, 60.0, 130.0)) };
        let block = pdf_block(&p.canonical(), &c.key_id, &c.signature, self.signing.current_id());
        let mut pdf = render(&format!("{} {}", labels[0], p.number), &page, Some(&block)).map_err(pdf_error)?;
        seal_pdf(&mut pdf, &self.signing).map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(pdf)
    }

    /// The in-store application form to print and sign, in `language` (the owner and staff):
    /// it carries the subscriber's full name and identity document, so it is never public.
    pub fn application_form_pdf(&self, who: &crate::Principal, request_id: i64, language: Language) -> Result<Vec<u8>> {
        let (r, subscriber, docs) = self.store.read(|tx| {
            let r = tx
                .request(request_id)?
                .filter(|r| who.sees_request(r))
                .ok_or_else(|| ServiceError::not_found("termination request", request_id))?;
            let s = tx
                .subscriber(r.subscriber_id)?
                .ok_or_else(|| ServiceError::Internal(format!("request {request_id} has no subscriber")))?;
            let docs = tx.documents_of(r.id)?;
            Ok::<_, ServiceError>((r, s, docs))
        })?;
        // The form is signed on paper against the originals: it carries the numbers in full.
        let r = self.open_request(r)?;
        let document_number = self.unseal(crate::sealing::ID_DOCUMENT_NUMBER, &subscriber.id_document_number)?;
        let policy = self.policy(&r.operator)?;
        let l = form_labels(language);
        let settlement = match r.settlement.kind {
            Some(k) => match (r.settlement.transfer_to_line, &r.settlement.refund_account) {
                (Some(line), _) => format!("{} → {line}", k.words(language)),
                (None, Some(account)) => format!("{} → {account}", k.words(language)),
                _ => k.words(language).to_owned(),
            },
            None => "—".into(),
        };
        let kinds: Vec<&str> =
            docs.iter().filter(|d| d.status != "destroyed").map(|d| d.kind.words(language)).collect();
        let date = self.now().to_zoned(policy.zone()).date().to_string();
        let mut lines = vec![Line::at(50.0, 780.0, 16.0, l[0])];
        let rows = [
            (l[1], r.id.to_string()),
            (l[2], policy.name.clone()),
            (l[3], r.msisdn.as_str().to_owned()),
            (l[4], subscriber.full_name.clone()),
            (l[5], format!("{} {document_number}", subscriber.id_document_type)),
            (l[6], settlement),
            (l[7], if kinds.is_empty() { "—".into() } else { kinds.join(", ") }),
            (l[8], date),
        ];
        let mut y = table(&mut lines, &rows, 740.0)?;
        y -= 10.0;
        for part in wrap(&l[9].replace("{msisdn}", r.msisdn.as_str()), 11.0, 495.0).map_err(pdf_error)? {
            lines.push(Line::at(50.0, y, 11.0, part));
            y -= 16.0;
        }
        lines.push(Line::at(50.0, y - 50.0, 11.0, format!("{} ____________________", l[10])));
        lines.push(Line::at(50.0, y - 85.0, 11.0, format!("{} ____________________", l[11])));
        let page = Page { lines, qr: None };
        render(&format!("{} {}", l[0], r.id), &page, None).map_err(pdf_error)
    }

    /// Every key that signed or signs certificates, for offline checks.
    pub fn certificate_keys(&self) -> PublicKeys {
        self.signing.published()
    }
}
