//! The one shape of the record kinds kept as one markdown file each (policies, updates,
//! audits, management reviews): front matter, then a body. Loading, the audience cut, the
//! views, link targets, the page list and `check`'s link rules are written once over this
//! trait, and [`record_kinds!`] lists the kinds, so a new kind is a module that implements
//! it, a line in that list and a template (see ARCHITECTURE.md, "Adding a markdown record
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
    fn title(&self) -> &str;
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
    /// Facts its page shows that are worked out from its fields, by name (an audit's
    /// `open_findings`); its view holds these beside its own fields.
    fn facts(&self) -> Vec<(&'static str, usize)> {
        Vec::new()
    }
    /// The order of its list page: by id unless the kind says otherwise (updates: newest
    /// first).
    fn list_order(&self, other: &Self) -> std::cmp::Ordering {
        self.id().cmp(other.id())
    }
}

/// Every markdown record kind but policies, as `field: Type`: the field that holds its items
/// in [`Records`] and its list in the site model (`model.<field>` in templates). Policies are
/// kept apart: they have histories, teasers with pages, and lists that grow with the ISMS.
/// A new kind is its module, its line here, and its template.
#[macro_export]
macro_rules! record_kinds {
    ($then:ident) => {
        $then! {
            updates: $crate::model::Update,
            audits: $crate::model::Audit,
            reviews: $crate::model::Review,
        }
    };
}

macro_rules! records {
    ($($field:ident: $kind:ty),* $(,)?) => {
        /// The items of each kind in [`record_kinds!`], by id.
        #[derive(Debug, Clone, Default)]
        pub struct Records {
            $(pub $field: BTreeMap<String, $kind>,)*
        }

        impl Records {
            /// Each kind's items, as `make` makes them (the loader reads them).
            pub fn make(make: &mut impl MakeRecords) -> Records {
                Records { $($field: make.make::<$kind>(),)* }
            }

            /// Each kind's items, each kind's map passed through `map` (the audience cut).
            pub fn map(&self, map: &mut impl MapRecords) -> Records {
                Records { $($field: map.map(&self.$field),)* }
            }

            /// Visits each kind's items.
            pub fn visit<'a>(&'a self, visitor: &mut impl RecordVisitor<'a>) {
                $(visitor.visit(&self.$field);)*
            }
        }
    };
}
record_kinds!(records);

/// Makes one kind's items (see [`Records::make`]).
pub trait MakeRecords {
    fn make<K: MarkdownRecord>(&mut self) -> BTreeMap<String, K>;
}

/// Makes one kind's items from another's (see [`Records::map`]).
pub trait MapRecords {
    fn map<K: MarkdownRecord>(&mut self, records: &BTreeMap<String, K>) -> BTreeMap<String, K>;
}

/// The accessors of a record whose fields are named `id`, `title`, `audience`, `body` and `source`,
/// as every kind's are: `crate::record_fields!();` inside its `impl MarkdownRecord`.
#[macro_export]
macro_rules! record_fields {
    () => {
        fn id(&self) -> &str {
            &self.id
        }
        fn title(&self) -> &str {
            &self.title
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
