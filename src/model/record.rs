//! The one shape of the record kinds kept as one markdown file each (policies, updates,
//! audits, management reviews): front matter, then a body. Loading, the audience cut, link
//! targets, the page list and `check`'s link rules are written once over this trait, so a
//! new kind is a module that implements it (see docs/ARCHITECTURE.md, "Adding a record
//! kind").

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::audience::Audience;
use crate::model::{Markdown, Source};

/// A kind of record kept as one markdown file per item.
pub trait MarkdownRecord: DeserializeOwned + Serialize + Clone + Send + Sync + 'static {
    /// Its folder in the content folder: `policies`.
    const FOLDER: &'static str;
    /// What one is called in messages: `policy`, `management review`.
    const NAME: &'static str;
    /// Its id is its file's stem (`updates/2026-10-14-audit.md` → `2026-10-14-audit`), not
    /// an `id` field. Teasers of such a kind get ids of their own (`on-request-1`), so no
    /// file name reaches a reader below them.
    const ID_FROM_FILE_NAME: bool = false;
    /// The lowest audience whose build has pages of this kind (audits: internal, whatever
    /// an item's own audience says).
    const PAGES_FROM: Audience = Audience::Public;

    /// The theme template of its page, and the name that template knows the item by.
    const TEMPLATE: &'static str;
    const ITEM: &'static str;

    /// Its page's site path.
    fn route(id: &str) -> String;

    fn id(&self) -> &str;
    /// Sets the id (of a kind whose id is its file name, and of a teaser).
    fn set_id(&mut self, id: String);
    fn audience(&self) -> Audience;
    fn body(&self) -> &Markdown;
    fn body_mut(&mut self) -> &mut Markdown;
    fn source(&self) -> &Source;
    fn source_mut(&mut self) -> &mut Source;

    /// The ISO/IEC 27001 clauses it satisfies (`clauses: [9.2]`); none for a kind without
    /// the field.
    fn clauses(&self) -> &[crate::model::Reference] {
        &[]
    }
    /// Whether readers below its audience see its title and summary.
    fn teaser(&self) -> bool {
        false
    }
    /// Set by the cut: the reader sees only this item's teaser.
    fn teaser_only(&self) -> bool {
        false
    }
    /// Its summary, which a teaser shows.
    fn summary(&self) -> Option<&str> {
        None
    }
    /// Cuts every text field but the body (summaries, scopes, findings) for `reader`; see
    /// [`crate::audience_blocks::cut_field`].
    fn cut_fields(&mut self, reader: Audience);
    /// Its teaser for `reader`: title and summary only, every other field withheld; `None`
    /// for a kind without teasers (the item is then withheld whole).
    fn teaser_for(&self, _reader: Audience) -> Option<Self> {
        None
    }
}

/// The accessors of a record whose fields are named `id`, `audience`, `body` and `source`,
/// as every kind's are: `crate::record_fields!();` inside its `impl MarkdownRecord`.
#[macro_export]
macro_rules! record_fields {
    () => {
        fn id(&self) -> &str {
            &self.id
        }
        fn set_id(&mut self, id: String) {
            self.id = id;
        }
        fn audience(&self) -> $crate::audience::Audience {
            self.audience
        }
        fn body(&self) -> &$crate::model::Markdown {
            &self.body
        }
        fn body_mut(&mut self) -> &mut $crate::model::Markdown {
            &mut self.body
        }
        fn source(&self) -> &$crate::model::Source {
            &self.source
        }
        fn source_mut(&mut self) -> &mut $crate::model::Source {
            &mut self.source
        }
    };
}

/// Visits each markdown record kind of a model (`Isms::visit_records`), borrowing it for `'a`.
pub trait RecordVisitor<'a> {
    fn visit<K: MarkdownRecord>(&mut self, records: &'a BTreeMap<String, K>);
}
