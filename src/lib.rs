//! trustpress: an ISMS kept as plain files in git, built into an audience-safe static trust
//! center. Data flows one way: `load` → `model` → `check` → `cut` (the audience) → `render`
//! → `output`. The library never prints; the binary talks to the user.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod answer;
pub mod audience;
pub mod audience_blocks;
pub mod brand;
pub mod build;
pub mod bundle;
pub mod caiq;
pub mod catalog;
pub mod check;
pub mod clauses;
pub mod config;
pub mod cut;
pub mod date;
pub mod diagnostic;
pub mod freshness;
pub mod hex;
pub mod history;
pub mod import;
pub mod init;
pub mod interrupt;
pub mod load;
pub mod locale;
pub mod markdown;
pub mod model;
pub mod one_line;
pub mod output;
pub mod render;
pub mod serve;
pub mod share;
pub mod sign;
pub mod site;
pub mod size;
pub mod tripwire;
pub mod withheld;

#[cfg(test)]
pub(crate) mod test_rng;

pub use audience::Audience;
pub use date::Date;

/// Drops `value` on a thread of its own. A model of 10,000 policies takes milliseconds to
/// free, one allocation at a time; the result need not wait for that, and a command that
/// exits next never has to.
///
/// The thread runs only when a core would otherwise be idle (Linux's `SCHED_IDLE`): freeing
/// is never urgent, and on two cores it would take time from the rest of the build. A
/// command that exits first leaves the freeing to the exit.
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    // When no thread can start, the closure, and the value with it, is dropped right here.
    let _ = std::thread::Builder::new().name("drop".to_string()).spawn(move || {
        run_when_idle();
        drop(value)
    });
}

/// Lowers the calling thread to the idle scheduling class, where it can; else it runs as
/// any thread does.
fn run_when_idle() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: `param` is a valid `sched_param`; pid 0 is the calling thread.
        unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
    }
}
