//! Pictures drawn at build time as SVG: certification badges (stand-alone files, embedded on
//! other sites), and the risk heat map and SoA progress chart inlined into the health page.
//! Inline charts draw with `currentColor` and CSS classes, so they follow dark mode and print
//! legibly; every chart has a text alternative.

use crate::locale::Locale;
use crate::markdown::escape_text as escape;
use crate::model::Objective;
use crate::render::view::{CertificationState, CertificationView, RiskView, ThemeCoverage};

/// A badge in the common two-part style: `label | state`. Self-contained (it is shown on
/// other sites), with fixed colours that read on light and dark pages.
pub fn badge(certification: &CertificationView, locale: &Locale) -> String {
    let (state, colour) = match certification.state {
        CertificationState::Valid => (locale.text("chart.badge.valid"), "#16794a"),
        CertificationState::Expiring => {
            let days = certification.days_left.unwrap_or(0);
            (locale.plain("chart.badge.expiring", Some(days), &[("count", locale.number(days))]), "#a15c00")
        }
        CertificationState::Expired => (locale.text("chart.badge.expired"), "#b3261e"),
        CertificationState::OnRequest => (locale.text("chart.badge.on_request"), "#5b3fb8"),
    };
    let label = &certification.name;
    // Verdana-like widths: about 6.5 px a character at 11 px, plus padding.
    let width_of = |text: &str| (text.chars().count() as f32 * 6.6 + 14.0).round() as u32;
    let (label_width, state_width) = (width_of(label), width_of(&state));
    let total = label_width + state_width;
    let title = format!("{label}: {state}");
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="22" role="img" aria-label="{title}" viewBox="0 0 {total} 22">
<title>{title}</title>
<rect width="{label_width}" height="22" rx="3" fill="#2f3542"/>
<rect x="{label_width}" width="{state_width}" height="22" rx="3" fill="{colour}"/>
<rect x="{label_width}" width="4" height="22" fill="{colour}"/>
<g fill="#fff" font-family="Verdana,DejaVu Sans,Geneva,sans-serif" font-size="11" text-anchor="middle">
<text x="{lx}" y="15">{label_text}</text>
<text x="{sx}" y="15">{state_text}</text>
</g>
</svg>
"##,
        title = escape(&title).replace('"', "&quot;"),
        lx = label_width / 2,
        sx = label_width + state_width / 2,
        label_text = escape(label),
        state_text = escape(&state),
    )
}

/// The 5×5 risk heat map: likelihood across, impact up, each cell coloured by its score band
/// and labelled with the number of risks in it.
pub fn heat_map(risks: &[RiskView], locale: &Locale) -> String {
    const CELL: u32 = 56;
    const LEFT: u32 = 64;
    const TOP: u32 = 12;
    let size = CELL * 5;
    let mut cells = String::new();
    let mut described = Vec::new();
    for impact in (1..=5u8).rev() {
        for likelihood in 1..=5u8 {
            let here: Vec<&RiskView> =
                risks.iter().filter(|r| r.likelihood == likelihood && r.impact == impact).collect();
            let score = likelihood * impact;
            let band = crate::render::view::risk_level(score);
            let x = LEFT + (u32::from(likelihood) - 1) * CELL;
            let y = TOP + (5 - u32::from(impact)) * CELL;
            let ids = here.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", ");
            let count = i64::try_from(here.len()).unwrap_or(i64::MAX);
            let cell_values = [
                ("likelihood", likelihood.to_string()),
                ("impact", impact.to_string()),
                ("count", locale.number(count)),
            ];
            cells.push_str(&format!(
                "<g class=\"heat-cell heat-{band}\"><rect x=\"{x}\" y=\"{y}\" width=\"{CELL}\" height=\"{CELL}\"><title>{}{}</title></rect>",
                escape(&locale.plain("chart.heat_map.cell_title", Some(count), &cell_values)),
                if ids.is_empty() { String::new() } else { format!(" ({})", escape(&ids)) }
            ));
            if !here.is_empty() {
                cells.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"heat-count\">{}</text>",
                    x + CELL / 2,
                    y + CELL / 2 + 6,
                    here.len()
                ));
                described.push(locale.plain("chart.heat_map.cell", Some(count), &cell_values));
            }
            cells.push_str("</g>");
        }
    }
    let mut axes = String::new();
    for n in 1..=5u32 {
        axes.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text>",
            LEFT + (n - 1) * CELL + CELL / 2,
            TOP + size + 18
        ));
        axes.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{n}</text>",
            LEFT - 10,
            TOP + (5 - n) * CELL + CELL / 2 + 5
        ));
    }
    let width = LEFT + size + 8;
    let height = TOP + size + 46;
    let label = if described.is_empty() {
        locale.text("chart.heat_map.empty")
    } else {
        locale.plain("chart.heat_map.label", None, &[("cells", described.join("; "))])
    };
    format!(
        "<svg class=\"chart heat-map\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">{cells}<g class=\"axis\">{axes}<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text><text transform=\"translate(16 {}) rotate(-90)\" text-anchor=\"middle\">{}</text></g></svg>",
        escape(&label).replace('"', "&quot;"),
        LEFT + size / 2,
        TOP + size + 40,
        escape(&locale.text("chart.heat_map.likelihood")),
        TOP + size / 2,
        escape(&locale.text("chart.heat_map.impact")),
    )
}

/// Horizontal stacked bars: implemented, partial, planned, not implemented, per theme.
pub fn progress(rows: &[ThemeCoverage], locale: &Locale) -> String {
    const LABEL: u32 = 150;
    const BAR: u32 = 340;
    const ROW: u32 = 34;
    let mut body = String::new();
    let mut described = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let y = index as u32 * ROW + 8;
        body.push_str(&format!(
            "<text x=\"0\" y=\"{}\" class=\"chart-label\">{}</text>",
            y + 15,
            escape(&row.theme)
        ));
        body.push_str(&format!(
            "<rect x=\"{LABEL}\" y=\"{y}\" width=\"{BAR}\" height=\"20\" rx=\"4\" class=\"bar-track\"/>"
        ));
        let mut x = LABEL as f32;
        for (count, class) in [
            (row.implemented, "bar-implemented"),
            (row.partial, "bar-partial"),
            (row.planned, "bar-planned"),
            (row.not_implemented, "bar-not-implemented"),
        ] {
            if row.applicable == 0 || count == 0 {
                continue;
            }
            let width = BAR as f32 * count as f32 / row.applicable as f32;
            body.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{width:.1}\" height=\"20\" class=\"{class}\"/>"
            ));
            x += width;
        }
        body.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"chart-value\">{}</text>",
            LABEL + BAR + 10,
            y + 15,
            escape(&locale.percent(&locale.number(i64::try_from(row.percent).unwrap_or(0))))
        ));
        let number = |n: usize| locale.number(i64::try_from(n).unwrap_or(i64::MAX));
        described.push(locale.plain(
            "chart.progress.row",
            None,
            &[
                ("theme", row.theme.clone()),
                ("implemented", number(row.implemented)),
                ("applicable", number(row.applicable)),
                ("partial", number(row.partial)),
                ("planned", number(row.planned)),
                ("not_implemented", number(row.not_implemented)),
            ],
        ));
    }
    let height = rows.len() as u32 * ROW + 12;
    format!(
        "<svg class=\"chart progress-chart\" viewBox=\"0 0 {} {height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">{body}</svg>",
        LABEL + BAR + 56,
        escape(&locale.plain("chart.progress.label", None, &[("rows", described.join("; "))])).replace('"', "&quot;")
    )
}

/// An objective's measurements as a line against its target: the target a dashed line, each
/// value a point marked met or missed, the first and last dates under the axis. Dates are
/// spaced by time, not by count. The text alternative lists every value.
pub fn trend(objective: &Objective, locale: &Locale) -> String {
    const WIDTH: f64 = 360.0;
    const HEIGHT: f64 = 140.0;
    const LEFT: f64 = 70.0;
    const RIGHT: f64 = 12.0;
    const TOP: f64 = 10.0;
    const BOTTOM: f64 = 26.0;
    let values = &objective.measurements;
    let described = if values.is_empty() {
        locale.text("chart.trend.empty")
    } else {
        values
            .iter()
            .map(|m| format!("{}: {}", m.date, objective.value_text(m.value)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let label = locale.plain(
        "chart.trend.label",
        None,
        &[("title", objective.title.clone()), ("target", objective.target_text()), ("values", described)],
    );
    let (low, high) = values
        .iter()
        .map(|m| m.value)
        .chain([objective.target])
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), v| (low.min(v), high.max(v)));
    // A fifth of the spread above and below, so that close values (99.95% to 100%) still
    // read as a line rather than flat.
    let pad = if high > low { (high - low) * 0.2 } else { high.abs().max(1.0) * 0.05 };
    let (low, high) = (low - pad, high + pad);
    let y = |value: f64| TOP + (HEIGHT - TOP - BOTTOM) * (high - value) / (high - low);
    let first = values.first().map(|m| m.date);
    let span = match (first, values.last()) {
        (Some(first), Some(last)) => first.days_until(last.date).max(1) as f64,
        _ => 1.0,
    };
    let x = |date: crate::date::Date| match first {
        Some(first) if values.len() > 1 => {
            LEFT + (WIDTH - LEFT - RIGHT) * first.days_until(date) as f64 / span
        }
        _ => LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
    };
    let mut body = String::new();
    body.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" class=\"chart-axis\"/>",
        bottom = HEIGHT - BOTTOM,
        right = WIDTH - RIGHT
    ));
    let target_y = y(objective.target);
    body.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{target_y:.1}\" x2=\"{right}\" y2=\"{target_y:.1}\" class=\"chart-target\"/>\
         <text x=\"{tx}\" y=\"{ty:.1}\" class=\"chart-label\" text-anchor=\"end\">{target}</text>",
        right = WIDTH - RIGHT,
        tx = LEFT - 6.0,
        ty = target_y + 4.0,
        target = escape(&objective.value_text(objective.target)),
    ));
    if values.len() > 1 {
        let points: Vec<String> =
            values.iter().map(|m| format!("{:.1},{:.1}", x(m.date), y(m.value))).collect();
        body.push_str(&format!("<polyline points=\"{}\" class=\"chart-line\"/>", points.join(" ")));
    }
    for m in values {
        let class = if objective.met_by(m.value) { "point-met" } else { "point-missed" };
        body.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" class=\"{class}\"/>",
            x(m.date),
            y(m.value)
        ));
    }
    if let (Some(first), Some(last)) = (values.first(), values.last()) {
        let baseline = HEIGHT - 8.0;
        // One measurement sits in the middle, its date under it.
        let (x, anchor) = if values.len() == 1 { (x(first.date), "middle") } else { (LEFT, "start") };
        body.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{baseline}\" class=\"chart-label\" text-anchor=\"{anchor}\">{}</text>",
            first.date
        ));
        if values.len() > 1 {
            body.push_str(&format!(
                "<text x=\"{}\" y=\"{baseline}\" class=\"chart-label\" text-anchor=\"end\">{}</text>",
                WIDTH - RIGHT,
                last.date
            ));
        }
    }
    format!(
        "<svg class=\"chart trend-chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">{body}</svg>",
        escape(&label).replace('"', "&quot;")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certification(state: CertificationState, days_left: Option<i64>) -> CertificationView {
        CertificationView {
            id: "iso".into(),
            name: "ISO/IEC 27001 <2022>".into(),
            issuer: None,
            certificate_number: None,
            scope: None,
            issued: None,
            expires: None,
            summary: None,
            teaser_only: false,
            state,
            days_left,
            documents: Vec::new(),
            documents_on_request: false,
            badge: None,
        }
    }

    #[test]
    fn badges_say_their_state_and_escape_names() {
        let valid = badge(&certification(CertificationState::Valid, Some(400)), Locale::english());
        assert!(valid.contains(">valid</text>") && valid.contains("&lt;2022&gt;"), "{valid}");
        assert!(badge(&certification(CertificationState::Expiring, Some(12)), Locale::english())
            .contains("expires in 12 days"));
        assert!(badge(&certification(CertificationState::Expired, Some(-3)), Locale::english())
            .contains(">expired</text>"));
    }
}
