//! The configuration reference that `simexit config-reference` prints (docs/CONFIGURATION.md).

use toml::{Table, Value};

use super::*;

/// The configuration reference, generated from these structs: every key with its default, its
/// environment variable and the field's doc comment, as a Markdown table per section.
pub fn reference() -> String {
    let source = include_str!("mod.rs");
    // Doc comments by (struct, field), read from this file's own source.
    let mut docs = std::collections::HashMap::new();
    let (mut current, mut pending) = (String::new(), Vec::<String>::new());
    for line in source.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("pub struct ") {
            current = rest.split([' ', '(', '{']).next().unwrap_or_default().to_owned();
            pending.clear();
        } else if let Some(doc) = t.strip_prefix("///") {
            pending.push(doc.trim().to_owned());
        } else if let Some(field) = t.strip_prefix("pub ").and_then(|f| f.split_once(':')).map(|f| f.0) {
            docs.insert((current.clone(), field.to_owned()), pending.join(" "));
            pending.clear();
        } else if !t.starts_with("#[") {
            pending.clear();
        }
    }
    let sections: Vec<(String, String)> = source
        .lines()
        .skip_while(|l| !l.starts_with("pub struct Config {"))
        .skip(1)
        .take_while(|l| !l.starts_with('}'))
        .filter_map(|l| l.trim().strip_prefix("pub ").and_then(|f| f.trim_end_matches(',').split_once(": ")))
        .map(|(name, ty)| (name.to_owned(), ty.to_owned()))
        .collect();
    let defaults = Value::try_from(Config::default()).unwrap_or(Value::Table(Table::new()));
    let mut out = String::new();
    for (section, ty) in sections {
        out.push_str(&format!("\n### `[{section}]`\n\n| key | default | environment | meaning |\n|---|---|---|---|\n"));
        let table = defaults.get(&section).and_then(Value::as_table).cloned().unwrap_or_default();
        let fields: Vec<&String> = docs
            .keys()
            .filter(|(s, _)| *s == ty)
            .map(|(_, f)| f)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for field in fields {
            let default = match table.get(field.as_str()) {
                Some(Value::String(v)) if v.is_empty() => "\"\"".to_owned(),
                Some(v) => format!("`{v}`"),
                None => "none".to_owned(),
            };
            let env = format!("SIMEXIT_{}__{}", section.to_uppercase(), field.to_uppercase());
            let doc = docs.get(&(ty.clone(), field.clone())).cloned().unwrap_or_default().replace('|', "\\|");
            out.push_str(&format!("| `{section}.{field}` | {default} | `{env}` | {doc} |\n"));
        }
    }
    out
}
