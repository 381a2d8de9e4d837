//! The three ordered audiences, and the one rule every output obeys: nothing above the
//! build's audience may reach it. `Audience` is compared with `<`/`<=`; the derive order
//! below is the order of trust.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Who may see an item. Ordered: `Public < Internal < Auditor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Public,
    /// The default for every item whose file does not say otherwise: nothing becomes public
    /// by accident.
    #[default]
    Internal,
    Auditor,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Public, Audience::Internal, Audience::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Internal => "internal",
            Audience::Auditor => "auditor",
        }
    }

    /// The default for evidence, which is auditor-only unless its index says otherwise.
    pub fn auditor() -> Audience {
        Audience::Auditor
    }

    /// True when something meant for `self` may be shown to `reader`.
    pub fn visible_to(self, reader: Audience) -> bool {
        self <= reader
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Audience {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "public" => Ok(Audience::Public),
            "internal" => Ok(Audience::Internal),
            "auditor" => Ok(Audience::Auditor),
            other => Err(format!("unknown audience `{other}`: expected public, internal or auditor")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_are_ordered_by_trust() {
        assert!(Audience::Public < Audience::Internal);
        assert!(Audience::Internal < Audience::Auditor);
        assert!(Audience::Public.visible_to(Audience::Internal));
        assert!(!Audience::Auditor.visible_to(Audience::Internal));
    }

    #[test]
    fn absent_audience_means_internal() {
        assert_eq!(Audience::default(), Audience::Internal);
    }
}
