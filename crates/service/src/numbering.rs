//! The numbering plan: import of the official registry, and who holds a number's range.

use simexit_domain::numbering::{NumberRange, def_and_subscriber, parse_registry};
use simexit_domain::{Msisdn, OperatorId};
use simexit_store::StoreExt;

use crate::record::audit;
use crate::{Result, Service, ServiceError};

impl Service {
    /// Parses the registry and replaces the stored plan in one transaction: a failed or
    /// partial file changes nothing. `progress(done, total)` is called while storing.
    pub fn import_numbering(&self, text: &str, source: &str, mut progress: impl FnMut(usize, usize)) -> Result<usize> {
        let ranges = parse_registry(text, |_| {})
            .map_err(|e| ServiceError::unprocessable("invalid_registry", format!("{source}: {e}")))?;
        let total = ranges.len();
        let now = self.now();
        self.store.write(|tx| {
            // Stored in slices so a caller can show progress; the transaction spans them all.
            tx.clear_numbering()?;
            for (i, chunk) in ranges.chunks(1_000).enumerate() {
                tx.append_numbering(chunk)?;
                progress((i * 1_000 + chunk.len()).min(total), total);
            }
            tx.record_numbering_import(source, total, now)?;
            audit(tx, now, "cli", "import_numbering", "numbering_plan", source, serde_json::json!({ "ranges": total }))
        })?;
        Ok(total)
    }

    /// The range that holds a Russian mobile number, per the imported plan.
    pub fn range_holder(&self, msisdn: &Msisdn) -> Result<Option<NumberRange>> {
        let Some((def, sub)) = def_and_subscriber(msisdn) else { return Ok(None) };
        Ok(self.store.read(|tx| tx.numbering_range(def, sub))?)
    }

    /// Who serves the number now: a number in simexit's inventory is served by its operator
    /// (a port-in overrides the range holder) unless it was ported out; otherwise the range
    /// holder's operator. The flag says the number was ported out.
    pub fn serving_operator(&self, msisdn: &Msisdn) -> Result<(Option<OperatorId>, bool)> {
        let number = self.store.read(|tx| tx.number(msisdn))?;
        match number {
            Some(n) if n.state == simexit_domain::NumberState::PortedOut => Ok((None, true)),
            Some(n) => Ok((Some(n.operator), false)),
            None => Ok((self.operator_by_range(msisdn)?, false)),
        }
    }

    /// The operator of this deployment whose tax id holds the number's range.
    pub fn operator_by_range(&self, msisdn: &Msisdn) -> Result<Option<OperatorId>> {
        let Some(range) = self.range_holder(msisdn)? else { return Ok(None) };
        Ok(range.inn.and_then(|inn| self.policies.iter().find(|p| p.inn == inn).map(|p| p.operator.clone())))
    }
}
