//! Customer categories and the languages simexit speaks.

crate::wire_enum! {
    /// What documents a subscriber can be asked for depends on this.
    pub enum CustomerCategory {
        Resident = "resident",
        ForeignResident = "foreign_resident",
        Tourist = "tourist",
    }
}

impl CustomerCategory {
    /// Foreign residents and tourists are non-residents for guarantor/representative rules.
    pub fn is_non_resident(self) -> bool {
        !matches!(self, CustomerCategory::Resident)
    }
}

crate::wire_enum! {
    pub enum Language {
        Ru = "ru",
        En = "en",
        Zh = "zh",
    }
}

impl Language {
    /// The words of this language from `[ru, en, zh]`.
    pub fn pick(self, [ru, en, zh]: [&'static str; 3]) -> &'static str {
        match self {
            Language::Ru => ru,
            Language::En => en,
            Language::Zh => zh,
        }
    }
}
