//! The matcher's quality on its evaluation sets (`tests/answer/*.yaml`): customer-worded
//! questions against the example's public FAQ, each with the answer a person would pick or
//! `none`. Precision (answers given that are right) and recall (answerable questions
//! answered right) are printed per set. The targets are precision ≥ 95% and recall ≥ 70% on
//! questions no one tuned on. `eval.yaml` has a tuning half and a held-out half; each later
//! set was written by someone who saw only the FAQ, measured once unseen, and only then
//! looked at (docs/PERFORMANCE.md tells the order). This test holds each set's floor, a
//! little under what it measures, to catch a change that makes matching worse.

use crate::common::example_content;

#[derive(serde::Deserialize)]
struct Case {
    id: String,
    /// `tune` or `holdout`; the later sets have none (each is one split, named after its file).
    #[serde(default)]
    split: String,
    expect: String,
    question: String,
}

struct Score {
    answered_right: usize,
    answered_wrong: usize,
    answerable: usize,
    answerable_answered: usize,
    wrong: Vec<String>,
    missed: Vec<String>,
}

/// The sets written after the first, by someone who saw only the FAQ, and their sizes.
const INDEPENDENT: &[(&str, usize)] = &[
    ("independent", 70),
    ("independent2", 80),
    ("independent3", 90),
    ("independent4", 90),
    ("independent5", 100),
    ("independent6", 100),
    ("independent7", 100),
    ("independent8", 100),
    ("independent9", 100),
    ("independent10", 100),
    ("independent11", 100),
    ("independent12", 100),
    ("independent13", 100),
    ("independent14", 100),
    ("independent15", 100),
    ("independent16", 100),
    ("independent17", 100),
    ("independent18", 100),
    ("independent19", 100),
    ("independent20", 100),
    ("independent21", 100),
    ("independent22", 100),
    ("independent23", 100),
    ("independent24", 100),
    ("independent25", 100),
    ("independent26", 100),
    ("independent27", 100),
    ("independent28", 100),
    ("independent29", 100),
    ("independent30", 100),
    ("independent31", 100),
    ("independent32", 100),
    ("independent33", 100),
    ("independent34", 100),
    ("independent35", 100),
    ("independent36", 100),
    ("independent37", 100),
    ("independent38", 100),
    ("independent39", 100),
    ("independent40", 100),
    ("independent41", 100),
    ("independent42", 100),
    ("independent43", 100),
    ("independent44", 100),
    ("independent45", 100),
    ("independent46", 100),
    ("independent47", 100),
    ("independent48", 100),
    ("independent49", 100),
    ("independent50", 100),
    ("independent51", 100),
    ("independent52", 100),
    ("independent53", 100),
    ("independent54", 100),
    ("independent55", 100),
    ("independent56", 100),
    ("independent57", 100),
    ("independent58", 100),
    ("independent59", 100),
    ("independent60", 100),
    ("independent61", 100),
    ("independent62", 100),
    ("independent63", 100),
    ("independent64", 100),
    ("independent65", 100),
    ("independent66", 100),
    ("independent67", 100),
    ("independent68", 100),
    ("independent69", 100),
    ("independent70", 100),
    ("independent71", 100),
    ("independent72", 100),
    ("independent73", 100),
    ("independent74", 100),
    ("independent75", 100),
    ("independent76", 100),
    ("independent77", 100),
    ("independent78", 100),
    ("independent79", 100),
    ("independent80", 100),
    ("independent81", 100),
    ("independent82", 100),
    ("independent83", 100),
    ("independent84", 100),
    ("independent85", 100),
    ("independent86", 100),
    ("independent87", 100),
    ("independent88", 100),
    ("independent89", 100),
    ("independent90", 100),
    ("independent91", 100),
    ("independent92", 100),
    ("independent93", 100),
    ("independent94", 100),
    ("independent95", 100),
    ("independent96", 100),
    ("independent97", 100),
    ("independent98", 100),
    ("independent99", 100),
    ("independent100", 100),
    ("independent101", 100),
    ("independent102", 100),
    ("independent103", 100),
    ("independent104", 100),
    ("independent105", 100),
    ("independent106", 100),
    ("independent107", 100),
    ("independent108", 100),
    ("independent109", 100),
    ("independent110", 100),
    ("independent111", 100),
    ("independent112", 100),
    ("independent113", 100),
    ("independent114", 100),
    ("independent115", 100),
    ("independent116", 100),
    ("independent117", 100),
    ("independent118", 100),
    ("independent119", 100),
    ("independent120", 100),
    ("independent121", 100),
    ("independent122", 100),
    ("independent123", 100),
    ("independent124", 100),
    ("independent125", 100),
    ("independent126", 100),
    ("independent127", 100),
    ("independent128", 100),
    ("independent129", 100),
    ("independent130", 100),
    ("independent131", 100),
    ("independent132", 100),
    ("independent133", 100),
    ("independent134", 100),
    ("independent135", 100),
    ("independent136", 100),
    ("independent137", 100),
    ("independent138", 100),
    ("independent139", 100),
    ("independent140", 100),
    ("independent141", 100),
    ("independent142", 100),
    ("independent143", 100),
    ("independent144", 100),
    ("independent145", 100),
    ("independent146", 100),
    ("independent147", 100),
    ("independent148", 100),
    ("independent149", 100),
    ("independent150", 100),
    ("independent151", 100),
];

/// The floor this test enforces, a little under what each set measures today: 2 points under
/// its precision (at most 97) and 3 under its recall (docs/PERFORMANCE.md has the figures; in
/// sessions 32 to 34 the example's FAQ gained four rounds of phrasings and the rules stricter
/// thresholds, so every set's figures moved, and each floor was set again from them; the
/// comments give each set's figures when it was measured unseen): precision, then recall.
/// The targets are 95% and 70% on questions no one tuned on; the sets here have all been
/// looked at since they were measured unseen.
fn floor(split: &str) -> (f64, f64) {
    match split {
        "tune" | "holdout" | "independent" => (91.0, 89.0),
        // Each measured once, unseen, 2026-12-05: the fourth with the final rules (95.7% /
        // 64.7%), the fifth and sixth with `lead_answer_threshold` at 0.32 (98.4% / 81.3%, and
        // 85.0% / 68.0%).
        "independent4" => (96.0, 83.0),
        "independent5" => (95.0, 85.0),
        "independent6" => (90.0, 82.0),
        // Measured once, unseen, 2026-12-05, with the final rules: 92.2% / 62.7%.
        "independent7" => (96.0, 82.0),
        // Measured once, unseen, 2026-12-05, after the customer's-own-people rule: 93.8% /
        // 80.0%.
        "independent8" => (95.0, 82.0),
        // Measured once, unseen, 2026-12-05 (session 25), after the device and share rules:
        // 92.5% / 65.3%.
        "independent9" => (95.0, 86.0),
        // Measured once, unseen, 2026-12-06, with the same rules: 90.9% / 80.0%.
        "independent10" => (93.0, 91.0),
        // Measured once, unseen, 2026-12-06, after the figures rule took prices: 91.5% / 72.0%.
        "independent11" => (95.0, 82.0),
        // Written for session 26 with more near misses (40 of 100 unanswerable, about half of
        // them sharing an answer's words), measured once, unseen, 2026-12-06, after the figures
        // rule took costs: 74.5% / 68.3%.
        "independent12" => (85.0, 88.0),
        // Written for session 31 with 35 of 100 unanswerable (22 near misses), measured once,
        // unseen, 2026-12-06, after the scope rules (interfaces, events, fees, roles): 84.5% /
        // 75.4%.
        "independent13" => (86.0, 87.0),
        // Written for session 31 (31 of 100 unanswerable, 22 near misses), measured once,
        // unseen, 2026-12-06, after the name and vendor's-people rules: 88.7% / 68.1%.
        "independent14" => (90.0, 91.0),
        // Written for session 31 by a helper not told which kinds of near miss to write (25 of
        // 100 unanswerable, 13 near misses; long rows with the customer's context first),
        // measured once, unseen, 2026-12-06, after the vendor's-suppliers rule: 95.3% / 54.7%.
        "independent15" => (94.0, 77.0),
        // Written for session 31 like the fifteenth, measured once, unseen, 2026-12-06, after
        // rows with their context first were read again as what they ask: 96.3% / 69.3%.
        "independent16" => (97.0, 86.0),
        // Written for session 31 with less usual customers, measured once, unseen, 2026-12-06,
        // after a lead of twice the next answer's score answered: 90.2% / 61.3%.
        "independent17" => (96.0, 81.0),
        // Written for session 31 to read like questionnaires as they arrive, measured once,
        // unseen, 2026-12-06, after the supplier-answer rule: 93.3% / 74.7%.
        "independent18" => (95.0, 82.0),
        // Written for session 31 like the eighteenth, measured once, unseen, 2026-12-06, after
        // the built-in-feature, severity and end-user-device scopes: 93.2% / 73.3%.
        "independent19" => (93.0, 83.0),
        // Written for session 31 like the eighteenth, measured once, unseen, 2026-12-06, with
        // the session's final rules (a row that is mostly context is not read again): 100% /
        // 61.3%.
        "independent20" => (97.0, 78.0),
        // Written for session 31 like the eighteenth, measured once, unseen, 2026-12-06, after
        // the review's fixes (suppliers by their synonym group only, "your users", severities
        // and servers as phrases): 91.5% / 57.3%.
        "independent21" => (89.0, 71.0),
        // Written for session 32 by helpers not told which kinds of near miss to write (the
        // twenty-third to the twenty-fifth each asked to imitate other customers: public buyers
        // in North America and Asia-Pacific; mid-sized companies in Europe, Africa and Latin
        // America; large enterprises), measured once, unseen, 2026-12-06, with the session's
        // synonyms: 97.3% / 48.0%, 95.5% / 56.0%, 83.7% / 48.0%, 94.2% / 65.3%.
        "independent22" => (93.0, 77.0),
        "independent23" => (91.0, 73.0),
        "independent24" => (91.0, 75.0),
        "independent25" => (93.0, 75.0),
        // The second and third, measured unseen before any set had a floor of its own.
        "independent2" => (94.0, 92.0),
        "independent3" => (96.0, 89.0),
        // Written for session 32 after the example's FAQ gained 205 phrasings (`also_asked_as`)
        // that a helper drafted without seeing any set; the writers saw those phrasings and were
        // asked not to reuse them. The twenty-sixth to the twenty-eighth were measured once,
        // unseen, with the phrasings: 85.7% / 72.0%, 86.9% / 70.7%, 90.0% / 72.0%; the
        // twenty-ninth to the thirty-first, unseen, with the same: 92.2% / 62.7%, 94.6% /
        // 70.7%, 88.9% / 64.0%.
        "independent26" => (91.0, 74.0),
        "independent27" => (96.0, 73.0),
        "independent28" => (93.0, 78.0),
        "independent29" => (91.0, 70.0),
        "independent30" => (96.0, 73.0),
        "independent31" => (94.0, 71.0),
        // Written for session 33 by helpers not told which kinds of near miss to write, each
        // asked to imitate a kind of customer (health care; public bodies and schools; banks,
        // insurers and fintechs; retailers, logistics and manufacturers). Measured once, unseen,
        // with session 32's rules and FAQ: 94.3% / 66.7%, 89.4% / 56.0%, 93.3% / 74.7%, 89.5% /
        // 68.0%.
        "independent32" => (94.0, 69.0),
        "independent33" => (91.0, 58.0),
        "independent34" => (92.0, 69.0),
        "independent35" => (96.0, 63.0),
        // Written for session 33 like the thirty-second (software companies; law and
        // accountancy firms; NGOs writing in a second language; short rows and long e-mails),
        // measured once, unseen, with the session's rules and FAQ (205 more phrasings, five
        // word collisions mended, stricter thresholds): 100% / 66.7%, 88.5% / 72.0%, 91.5% /
        // 57.3%, 90.7% / 65.3%.
        "independent36" => (96.0, 65.0),
        "independent37" => (91.0, 74.0),
        "independent38" => (97.0, 66.0),
        "independent39" => (91.0, 71.0),
        // Written for session 33 like the thirty-second (manufacturers and automotive suppliers
        // writing in a second language; shops, travel and hospitality; media, gaming and
        // sports; critical infrastructure and defence), measured once, unseen, with the
        // session's rules and the FAQ's third round of phrasings: 92.5% / 65.3%, 92.2% /
        // 62.7%, 96.4% / 70.7%, 100% / 66.7%.
        "independent40" => (92.0, 63.0),
        "independent41" => (95.0, 53.0),
        "independent42" => (97.0, 69.0),
        "independent43" => (97.0, 61.0),
        // Written for session 33 like the thirty-second (property and facility services;
        // agriculture and food in Latin America, Africa and Asia; staffing, payroll and BPO;
        // follow-ups that quote an earlier answer or a clause), measured once, unseen, with the
        // FAQ's fourth round of phrasings: 92.0% / 61.3%, 88.9% / 64.0%, 92.1% / 77.3%,
        // 92.9% / 69.3%.
        "independent44" => (95.0, 53.0),
        "independent45" => (89.0, 51.0),
        "independent46" => (97.0, 65.0),
        "independent47" => (96.0, 61.0),
        // Written for session 33 like the thirty-second (pharmaceutical, biotech and
        // laboratory companies; small businesses without security staff; global enterprises'
        // vendor-risk templates; education, research and cultural institutions), measured
        // once, unseen, after the figures rule came to read what a row asks: 98.2% / 73.3%,
        // 92.0% / 61.3%, 96.5% / 73.3%, 95.0% / 76.0%.
        "independent48" => (97.0, 61.0),
        "independent49" => (97.0, 53.0),
        "independent50" => (94.0, 61.0),
        "independent51" => (96.0, 69.0),
        // Written for session 33 like the thirty-second (brokers, credit unions and payment
        // bureaus; hospitality and leisure; heavy industry; the hardest questionnaires a
        // writer could imagine), measured once, unseen, with the session's final rules and
        // FAQ, no version compared: 93.4% / 76.0%, 90.4% / 62.7%, 100% / 70.7%,
        // 93.8% / 60.0%.
        "independent52" => (94.0, 63.0),
        "independent53" => (93.0, 49.0),
        "independent54" => (97.0, 59.0),
        "independent55" => (95.0, 54.0),
        // Written for session 34 (healthcare buyers in North America; retail in South-East Asia
        // and India; manufacturing in Central and Eastern Europe; UK and EU financial services),
        // measured once, unseen, with session 33's final rules and FAQ, nothing chosen:
        // 94.6% / 70.7%, 96.9% / 84.0%, 98.2% / 74.7%, 98.3% / 76.0%.
        "independent56" => (96.0, 62.0),
        "independent57" => (97.0, 77.0),
        "independent58" => (97.0, 67.0),
        "independent59" => (95.0, 59.0),
        // Written with them (non-profits and universities; startups' security engineers; Latin
        // America and Iberia; the Middle East and Africa), measured the same way: 93.7% / 78.7%,
        // 94.9% / 74.7%, 92.2% / 78.7%, 95.5% / 84.0%.
        "independent60" => (97.0, 69.0),
        "independent61" => (96.0, 66.0),
        "independent62" => (96.0, 63.0),
        "independent63" => (93.0, 74.0),
        // Written for session 34 (government in Australia and New Zealand; professional services;
        // hospitality and travel; energy and critical infrastructure), measured once, unseen, with
        // session 33's version (93.9% / 82.7%, 96.3% / 69.3%, 96.6% / 76.0%, 93.1% / 72.0%) and
        // session 34's, which was kept: 95.4% / 82.7%, 98.1% / 69.3%, 96.6% / 76.0%, 93.1% / 72.0%.
        "independent64" => (94.0, 77.0),
        "independent65" => (96.0, 61.0),
        "independent66" => (97.0, 59.0),
        "independent67" => (94.0, 63.0),
        // Written with them (media and gaming; US public sector; Japan, Korea, Taiwan and Hong
        // Kong; very small businesses), measured once with session 34's version alone, nothing
        // chosen: 98.0% / 66.7%, 98.2% / 73.3%, 98.1% / 69.3%, 81.8% / 48.0%.
        "independent68" => (97.0, 53.0),
        "independent69" => (97.0, 61.0),
        "independent70" => (95.0, 54.0),
        "independent71" => (82.0, 33.0),
        // Written for session 34 (construction and real estate; food and agriculture; automotive,
        // aerospace and defence; outsourcers; volunteer-run associations; clinics and pharmacies;
        // global enterprises' onboarding portals; auditors), measured once with session 34's
        // version alone, nothing chosen: 93.4% / 76.0%, 93.4% / 76.0%, 98.3% / 78.7%,
        // 93.2% / 90.7%, 95.3% / 54.7%, 93.4% / 76.0%, 100% / 84.0%, 91.5% / 86.7%.
        "independent72" => (94.0, 63.0),
        "independent73" => (92.0, 65.0),
        "independent74" => (97.0, 74.0),
        "independent75" => (94.0, 81.0),
        "independent76" => (92.0, 45.0),
        "independent77" => (96.0, 66.0),
        "independent78" => (97.0, 77.0),
        "independent79" => (93.0, 79.0),
        // Written for session 34 (hospitals in Europe; insurers in Asia-Pacific; marketplaces and
        // carriers; courts and justice; then heavy industry; luxury brands; managed-service
        // providers; central government), measured once with session 34's version (the first
        // four also with a stricter lead threshold, which gave the same figures): 94.8% / 73.3%,
        // 97.2% / 92.0%, 94.9% / 74.7%, 95.5% / 85.3%, 88.9% / 74.7%, 96.9% / 82.7%,
        // 94.9% / 74.7%, 98.3% / 78.7%.
        "independent80" => (96.0, 65.0),
        "independent81" => (96.0, 81.0),
        "independent82" => (96.0, 67.0),
        "independent83" => (96.0, 79.0),
        "independent84" => (96.0, 67.0),
        "independent85" => (96.0, 66.0),
        "independent86" => (94.0, 67.0),
        "independent87" => (97.0, 73.0),
        // Written for session 34 (telecoms; SaaS buyers; German-speaking family firms; private
        // equity; then municipalities; crypto and payment firms; international organisations; US
        // banks), measured once: the first four with session 34's version (92.9% / 78.7% in all)
        // and with the lead's coverage floor at 50% (93.1% / 77.0%), which was kept; the last
        // four with that alone, nothing chosen. With the kept version: 98.3% / 78.7%,
        // 92.4% / 81.3%, 88.9% / 64.0%, 92.6% / 84.0%, 93.0% / 70.7%, 95.0% / 76.0%,
        // 97.0% / 85.3%, 95.7% / 88.0%.
        "independent88" => (96.0, 77.0),
        "independent89" => (94.0, 74.0),
        "independent90" => (93.0, 57.0),
        "independent91" => (94.0, 74.0),
        "independent92" => (92.0, 66.0),
        "independent93" => (96.0, 67.0),
        "independent94" => (97.0, 73.0),
        "independent95" => (96.0, 82.0),
        // Written for session 35 (hospitals and aged care in Australia and New Zealand; online
        // retail in Southeast Asia; construction and engineering; Nordic and Baltic public
        // bodies; then US non-profits and universities; Central European manufacturers; fintech
        // and crypto; insurers, brokers and law firms), measured once: the first four with
        // session 34's final version, nothing chosen (94.7% / 77.3%); the last four with that
        // version (92.8% / 77.3%) and with session 35's change (93.4% / 75.7%), which was kept.
        "independent96" => (94.0, 77.0),
        "independent97" => (96.0, 62.0),
        "independent98" => (94.0, 70.0),
        "independent99" => (95.0, 82.0),
        "independent100" => (89.0, 73.0),
        "independent101" => (96.0, 61.0),
        "independent102" => (95.0, 57.0),
        "independent103" => (91.0, 77.0),
        // Written for session 35 (media and advertising in French-speaking countries; pharma,
        // biotech and medical devices; travel and events; critical infrastructure; then
        // professional services; small businesses and sole traders in plain words; the overseas
        // subsidiaries of Japanese, Korean and Taiwanese groups; private equity and asset
        // managers), measured once: the first four with session 35's kept version (92.3% /
        // 76.3%) and with a stricter context threshold (92.3% / 76.0%), which was dropped; the
        // last four with the kept version, nothing chosen (93.9% / 72.0%).
        "independent104" => (92.0, 65.0),
        "independent105" => (88.0, 73.0),
        "independent106" => (88.0, 63.0),
        "independent107" => (92.0, 70.0),
        "independent108" => (93.0, 75.0),
        "independent109" => (93.0, 26.0),
        "independent110" => (92.0, 81.0),
        "independent111" => (96.0, 75.0),
        // Written for session 35 (sports clubs and venues; shipping, ports and customs brokers;
        // Latin American companies; banks, telecoms and retailers in Africa and the Middle East;
        // then US state and local government; SaaS companies buying SaaS; retail and franchise
        // chains; hospitals, labs and pharmacies in Germany, France and Italy), measured once:
        // the first four with the kept version (94.3% / 76.7%) and with a floor for what a row
        // asks after its context, which gave the same figures and was kept by the rule written
        // before; the last four with that, nothing chosen (97.0% / 75.7%).
        "independent112" => (96.0, 67.0),
        "independent113" => (94.0, 65.0),
        "independent114" => (93.0, 73.0),
        "independent115" => (91.0, 75.0),
        "independent116" => (97.0, 67.0),
        "independent117" => (96.0, 69.0),
        "independent118" => (94.0, 67.0),
        "independent119" => (93.0, 75.0),
        // Written for session 35 (faith-based charities; farm cooperatives and food processors;
        // research offices and clinical-trial units; dealerships and leasing; small creative
        // studios; then state-owned enterprises in Asia-Pacific; mature third-party-risk teams;
        // prospects' e-mails), measured once with the final version, nothing chosen: 96.0% /
        // 81.0% and 94.8% / 78.3%.
        "independent120" => (96.0, 73.0),
        "independent121" => (94.0, 77.0),
        "independent122" => (96.0, 73.0),
        "independent123" => (97.0, 75.0),
        "independent124" => (93.0, 58.0),
        "independent125" => (95.0, 82.0),
        "independent126" => (95.0, 82.0),
        "independent127" => (94.0, 67.0),
        // Written for session 36 (Nordic public bodies; online shops; construction and property
        // firms; staffing and payroll bureaus; then Indian and South-East Asian IT-services
        // vendor offices; internal audit's annual reassessment; Dutch and Belgian municipalities;
        // US procurement portals; then blunt tech-company security teams; international
        // charities; schools and academy trusts; banks' outsourcing officers under DORA), measured
        // once, unseen, with the final version fixed before they ran, nothing chosen: 96.3% /
        // 69.0%, 94.1% / 79.3% and 95.2% / 66.3% (pooled 95.1% / 71.6%).
        "independent128" => (96.0, 65.0),
        "independent129" => (94.0, 67.0),
        "independent130" => (90.0, 63.0),
        "independent131" => (96.0, 67.0),
        "independent132" => (93.0, 78.0),
        "independent133" => (86.0, 82.0),
        "independent134" => (94.0, 63.0),
        "independent135" => (94.0, 81.0),
        "independent136" => (97.0, 63.0),
        "independent137" => (97.0, 61.0),
        "independent138" => (86.0, 58.0),
        "independent139" => (91.0, 70.0),
        // Written for session 36 as a second measure of the same version, because the first
        // met the precision target by one answer (accounts-payable managers; southern European
        // manufacturers; cyber insurers' proposal forms; hospitality groups; then defence-
        // adjacent contractors; a CISO's quarterly review; logistics start-ups in Asia; German-
        // speaking utilities and transport; then Irish, Scottish and Welsh public bodies;
        // climate-tech companies; Eastern European and Baltic firms; a retailer re-using last
        // year's form), measured once, unseen, the version unchanged, nothing chosen: 97.2% /
        // 68.3%, 94.5% / 74.0% and 95.5% / 70.7% (pooled 95.7% / 71.0%).
        "independent140" => (97.0, 63.0),
        "independent141" => (92.0, 65.0),
        "independent142" => (96.0, 79.0),
        "independent143" => (93.0, 53.0),
        "independent144" => (93.0, 77.0),
        "independent145" => (89.0, 73.0),
        "independent146" => (89.0, 55.0),
        "independent147" => (96.0, 78.0),
        "independent148" => (93.0, 73.0),
        "independent149" => (97.0, 62.0),
        "independent150" => (95.0, 82.0),
        "independent151" => (87.0, 53.0),
        _ => (92.0, 75.0),
    }
}

#[test]
fn answer_quality_holds_its_floor_on_every_set() {
    let text = std::fs::read_to_string(crate::common::repo().join("tests/answer/eval.yaml")).unwrap();
    let mut cases: Vec<Case> = serde_saphyr::from_str(&text).unwrap();
    assert!(cases.len() >= 80, "the evaluation set has at least 80 questions");
    // The later sets, each written by someone who saw only the FAQ (never the matcher, its
    // rules or the other sets); each is all one split, named after its file.
    for (name, count) in INDEPENDENT {
        let text =
            std::fs::read_to_string(crate::common::repo().join(format!("tests/answer/{name}.yaml"))).unwrap();
        let set: Vec<Case> = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(set.len(), *count, "{name}");
        cases.extend(set.into_iter().map(|case| Case { split: name.to_string(), ..case }));
    }
    // TRUSTPRESS_EVAL_PENDING=1 measures the sets waiting in tests/answer/pending/ too (each
    // once, unseen: see the README there); they are reported, not held to a floor.
    let mut pending = Vec::new();
    if std::env::var_os("TRUSTPRESS_EVAL_PENDING").is_some() {
        let dir = crate::common::repo().join("tests/answer/pending");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        for path in files {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let set: Vec<Case> = serde_saphyr::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            cases.extend(set.into_iter().map(|case| Case { split: name.clone(), ..case }));
            pending.push(name);
        }
    }
    // TRUSTPRESS_EVAL_CONTENT=dir measures another copy of the example (a draft of its FAQ).
    let content = std::env::var_os("TRUSTPRESS_EVAL_CONTENT").map_or_else(example_content, Into::into);
    let Ok(loaded) = trustpress::load::load(&content) else { panic!("the example loads") };
    let isms = trustpress::cut::cut(&loaded.isms, trustpress::Audience::Public);
    // TRUSTPRESS_EVAL_RULES=file measures a draft of the rules without building it in.
    let rules = match std::env::var("TRUSTPRESS_EVAL_RULES") {
        Ok(path) => serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap(),
        Err(_) => trustpress::answer::built_in_rules().unwrap(),
    };
    let reader = trustpress::answer::Reader::new(rules);
    let matcher = trustpress::answer::Matcher::new(
        &reader,
        trustpress::answer::library(&isms, "https://trust.example"),
    );
    // Every decision as a JSON line, to compare two versions of the rules row by row:
    // TRUSTPRESS_EVAL_DUMP=before.jsonl, change the rules, TRUSTPRESS_EVAL_DUMP=after.jsonl.
    if let Ok(path) = std::env::var("TRUSTPRESS_EVAL_DUMP") {
        let mut out = String::new();
        for case in &cases {
            let decision = matcher.decide(&case.question, None);
            let line = serde_json::json!({
                "split": case.split,
                "id": case.id,
                "expect": case.expect,
                "question": case.question,
                "answers": decision.answers,
                "confidence": decision.confidence,
                "best": decision.best,
                "reason": decision.reason,
            });
            out.push_str(&format!("{line}\n"));
        }
        std::fs::write(path, out).unwrap();
    }
    let mut report = String::new();
    let splits = ["tune", "holdout"]
        .into_iter()
        .chain(INDEPENDENT.iter().map(|(name, _)| *name))
        .chain(pending.iter().map(String::as_str));
    for split in splits {
        let mut score = Score {
            answered_right: 0,
            answered_wrong: 0,
            answerable: 0,
            answerable_answered: 0,
            wrong: Vec::new(),
            missed: Vec::new(),
        };
        for case in cases.iter().filter(|c| c.split == split) {
            let decision = matcher.decide(&case.question, None);
            let first = decision.answers.first().cloned();
            let answerable = case.expect != "none";
            if answerable {
                score.answerable += 1;
            }
            match &first {
                Some(id) if *id == case.expect => {
                    score.answered_right += 1;
                    score.answerable_answered += 1;
                }
                Some(id) => {
                    score.answered_wrong += 1;
                    if answerable {
                        score.answerable_answered += 1;
                    }
                    score.wrong.push(format!(
                        "{} → {id} (expected {}, {:.2})",
                        case.id, case.expect, decision.confidence
                    ));
                }
                None if answerable => score
                    .missed
                    .push(format!("{} (expected {}; best {:?})", case.id, case.expect, decision.best)),
                None => {}
            }
        }
        let given = score.answered_right + score.answered_wrong;
        let precision = score.answered_right as f64 / given.max(1) as f64;
        let recall = score.answered_right as f64 / score.answerable.max(1) as f64;
        report.push_str(&format!(
            "{split}: precision {:.1}% ({} of {given} answers right), recall {:.1}% ({} of {} answerable answered right)\n",
            precision * 100.0,
            score.answered_right,
            recall * 100.0,
            score.answered_right,
            score.answerable,
        ));
        // The held-out half's rows are not shown: tuning on them would make them a second
        // tuning set. Set TRUSTPRESS_EVAL_DETAIL=holdout to see them after tuning is done.
        let detail = std::env::var("TRUSTPRESS_EVAL_DETAIL").unwrap_or_else(|_| "tune".to_string());
        if detail == split {
            report.push_str(&format!("  wrong: {:?}\n  missed: {:?}\n", score.wrong, score.missed));
        }
        let _ = score.answerable_answered;
    }
    println!("{report}");
    for line in report
        .lines()
        .filter(|l| l.starts_with("tune") || l.starts_with("holdout") || l.starts_with("independent"))
    {
        let number = |label: &str| -> f64 {
            let at = line.find(label).unwrap() + label.len() + 1;
            line[at..].split('%').next().unwrap().parse().unwrap()
        };
        let split = line.split(':').next().unwrap_or_default();
        if pending.iter().any(|name| name == split) {
            continue;
        }
        let (precision, recall) = floor(split);
        assert!(number("precision") >= precision && number("recall") >= recall, "below the floor:\n{report}");
    }
}
