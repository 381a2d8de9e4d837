//! What a build is made of, decided before anything renders: where each page and file lives
//! (`routes`), the one table of the site's fixed pages (`pages`), and the pages and files
//! each audience's build has, which content may link to (`targets`). `check` and `render`
//! both read these; this module reads only the model.

pub mod pages;
pub mod routes;
pub mod targets;

/// What a build is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RenderTarget {
    /// A trust-center site: downloads are read into the output, evidence is shown by id.
    #[default]
    Site,
    /// The auditor bundle: control pages link each evidence file at its bundle path, policy
    /// pages link their markdown source, an evidence index page is added, and files from the
    /// content folder (downloads, evidence, sources) are left to the bundle, which streams
    /// them from disk instead of holding them in memory.
    AuditorBundle,
}

impl RenderTarget {
    /// Folder links end in `index.html`: the bundle is browsed from disk, without a server.
    pub fn explicit_index(self) -> bool {
        self == RenderTarget::AuditorBundle
    }
}
