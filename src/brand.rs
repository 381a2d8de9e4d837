//! The organisation's brand on the default theme, from `site.yaml` `brand:`: the logo (light
//! and dark), the favicon, the hero image, and the brand colour with the shades derived from
//! it. The colour rule is decided here once: `check` reports a colour that fails it, and the
//! build refuses one, with the same words.
//!
//! **Contrast.** The theme shows the brand colour as link text on its light backgrounds and
//! behind white button text, so in light mode the colour itself must reach WCAG AA's 4.5:1
//! against each light background it sits on. A colour that does not is an error that names the
//! closest colour of the same hue that does. Dark mode uses a lighter shade of the same hue
//! and saturation, derived until it reaches 4.5:1 on every dark background: the user
//! chooses one colour.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::config::Brand;
use crate::diagnostic::{Diagnostic, Location};
use crate::load::ContentRoot;

/// WCAG 2.x AA contrast for normal text.
pub const AA_TEXT: f64 = 4.5;

/// The light backgrounds the brand colour is text on (page, soft panels, the navigation's
/// current item is checked separately against the derived soft shade).
const LIGHT_BACKGROUNDS: &[Rgb] = &[Rgb(0xff, 0xff, 0xff), Rgb(0xf6, 0xf7, 0xf9)];
/// The dark-mode backgrounds: page, soft panels, raised cards.
const DARK_BACKGROUNDS: &[Rgb] = &[Rgb(0x0f, 0x13, 0x1a), Rgb(0x16, 0x1b, 0x24), Rgb(0x1a, 0x20, 0x2b)];

/// A colour, 8 bits a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

impl Rgb {
    /// `#rrggbb` or `#rgb`.
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.trim().strip_prefix('#')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |s: &str| u8::from_str_radix(s, 16).ok();
        match hex.len() {
            6 => Some(Rgb(channel(&hex[0..2])?, channel(&hex[2..4])?, channel(&hex[4..6])?)),
            3 => {
                let digit = |i: usize| channel(&hex[i..=i]).map(|v| v * 17);
                Some(Rgb(digit(0)?, digit(1)?, digit(2)?))
            }
            _ => None,
        }
    }

    /// Relative luminance (WCAG 2.x).
    pub fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// The contrast ratio of two colours, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// `self` mixed with `other`: `share` of `other`, 0 to 1.
    fn mix(self, other: Rgb, share: f64) -> Rgb {
        let channel = |a: u8, b: u8| (f64::from(a) * (1.0 - share) + f64::from(b) * share).round() as u8;
        Rgb(channel(self.0, other.0), channel(self.1, other.1), channel(self.2, other.2))
    }

    /// Hue (0–360), saturation and lightness (0–1).
    fn hsl(self) -> (f64, f64, f64) {
        let [r, g, b] = [self.0, self.1, self.2].map(|c| f64::from(c) / 255.0);
        let (max, min) = (r.max(g).max(b), r.min(g).min(b));
        let lightness = (max + min) / 2.0;
        if max == min {
            return (0.0, 0.0, lightness);
        }
        let delta = max - min;
        let saturation = delta / (1.0 - (2.0 * lightness - 1.0).abs());
        let hue = if max == r {
            60.0 * ((g - b) / delta).rem_euclid(6.0)
        } else if max == g {
            60.0 * ((b - r) / delta + 2.0)
        } else {
            60.0 * ((r - g) / delta + 4.0)
        };
        (hue, saturation, lightness)
    }

    fn from_hsl(hue: f64, saturation: f64, lightness: f64) -> Rgb {
        let chroma = (1.0 - (2.0 * lightness - 1.0).abs()) * saturation;
        let x = chroma * (1.0 - ((hue / 60.0).rem_euclid(2.0) - 1.0).abs());
        let m = lightness - chroma / 2.0;
        let (r, g, b) = match hue {
            h if h < 60.0 => (chroma, x, 0.0),
            h if h < 120.0 => (x, chroma, 0.0),
            h if h < 180.0 => (0.0, chroma, x),
            h if h < 240.0 => (0.0, x, chroma),
            h if h < 300.0 => (x, 0.0, chroma),
            _ => (chroma, 0.0, x),
        };
        let channel = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
        Rgb(channel(r), channel(g), channel(b))
    }

    /// The same hue and saturation made lighter, in 1% steps of lightness, until it reaches
    /// `ratio` against every background (a dark-mode shade that keeps the brand's colour,
    /// where mixing with white would grey it); white when none does.
    fn lightened_until(self, backgrounds: &[Rgb], ratio: f64) -> Rgb {
        let (hue, saturation, lightness) = self.hsl();
        (0..=100)
            .map(|step| f64::from(step) / 100.0)
            .filter(|l| *l >= lightness)
            .map(|l| Rgb::from_hsl(hue, saturation, l))
            .find(|candidate| candidate.worst_contrast(backgrounds) >= ratio)
            .unwrap_or(WHITE)
    }

    /// The lowest contrast against any of `backgrounds`.
    fn worst_contrast(self, backgrounds: &[Rgb]) -> f64 {
        backgrounds.iter().map(|b| self.contrast(*b)).fold(f64::INFINITY, f64::min)
    }
}

const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
const BLACK: Rgb = Rgb(0, 0, 0);

/// The brand colour's shades for the theme's CSS variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub light: Shades,
    pub dark: Shades,
}

/// `--brand`, `--brand-strong` (hover) and `--brand-soft` (tinted backgrounds) of one mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shades {
    pub brand: Rgb,
    pub strong: Rgb,
    pub soft: Rgb,
}

/// Why a brand colour cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum ColorError {
    /// Not `#rrggbb`.
    Unreadable,
    /// Too light for link text on the light backgrounds.
    LowContrast { ratio: f64, suggestion: Rgb },
}

impl fmt::Display for ColorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColorError::Unreadable => write!(f, "is not a colour: write it as #rrggbb, for example #2456d6"),
            ColorError::LowContrast { ratio, .. } => write!(
                f,
                "has a contrast of {ratio:.2}:1 against the page background; links and buttons in that colour need {AA_TEXT}:1 (WCAG AA)"
            ),
        }
    }
}

/// The palette of brand colour `text`, or why it fails.
pub fn palette(text: &str) -> Result<Palette, ColorError> {
    let color = Rgb::parse(text).ok_or(ColorError::Unreadable)?;
    let soft = color.mix(WHITE, 0.9);
    let mut light_backgrounds = LIGHT_BACKGROUNDS.to_vec();
    light_backgrounds.push(soft);
    let ratio = color.worst_contrast(&light_backgrounds);
    if ratio < AA_TEXT {
        // The same hue, darkened until it passes on the backgrounds (its own soft shade
        // included, which darkening only lightens relative to it).
        let suggestion = (0..=100)
            .map(|step| color.mix(BLACK, f64::from(step) / 100.0))
            .find(|c| {
                let mut backgrounds = LIGHT_BACKGROUNDS.to_vec();
                backgrounds.push(c.mix(WHITE, 0.9));
                c.worst_contrast(&backgrounds) >= AA_TEXT
            })
            .unwrap_or(BLACK);
        return Err(ColorError::LowContrast { ratio, suggestion });
    }
    let light = Shades { brand: color, strong: color.mix(BLACK, 0.2), soft };
    let dark_soft = color.mix(DARK_BACKGROUNDS[0], 0.82);
    let mut dark_backgrounds = DARK_BACKGROUNDS.to_vec();
    dark_backgrounds.push(dark_soft);
    let dark_brand = color.lightened_until(&dark_backgrounds, AA_TEXT);
    let dark = Shades { brand: dark_brand, strong: dark_brand.mix(WHITE, 0.3), soft: dark_soft };
    Ok(Palette { light, dark })
}

impl Palette {
    /// `assets/palette.css`: the theme's brand variables, for light and dark mode.
    pub fn css(&self) -> String {
        let Palette { light, dark } = self;
        // Screens only: print keeps the theme's black on white.
        format!(
            "/* The brand colour from site.yaml, with shades derived by trustpress (WCAG AA checked). */\n\
             @media screen {{\n  :root {{ --brand: {}; --brand-strong: {}; --brand-soft: {}; }}\n}}\n\
             @media screen and (prefers-color-scheme: dark) {{\n  :root {{ --brand: {}; --brand-strong: {}; --brand-soft: {}; }}\n}}\n",
            light.brand, light.strong, light.soft, dark.brand, dark.strong, dark.soft
        )
    }
}

/// One brand file: which key names it, the kinds it may be, and where the site serves it.
#[derive(Debug, Clone, Copy)]
pub struct BrandFile {
    pub key: &'static str,
    pub extensions: &'static [&'static str],
    /// Its name under `assets/`, without the extension.
    pub asset: &'static str,
}

pub const LOGO: BrandFile = BrandFile { key: "logo", extensions: &["svg", "png"], asset: "brand-logo" };
pub const LOGO_DARK: BrandFile =
    BrandFile { key: "logo_dark", extensions: &["svg", "png"], asset: "brand-logo-dark" };
pub const FAVICON: BrandFile =
    BrandFile { key: "favicon", extensions: &["svg", "png", "ico"], asset: "brand-favicon" };
pub const HERO: BrandFile =
    BrandFile { key: "hero", extensions: &["png", "jpg", "jpeg", "webp"], asset: "brand-hero" };

/// The brand colour's stylesheet, under `assets/`.
pub const PALETTE_ASSET: &str = "palette.css";

/// Brand files larger than this are refused: a trust center's first page should load fast.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// Each brand file's key, its path as written, and its rule.
pub fn files(brand: &Brand) -> Vec<(BrandFile, &str)> {
    [(LOGO, &brand.logo), (LOGO_DARK, &brand.logo_dark), (FAVICON, &brand.favicon), (HERO, &brand.hero)]
        .into_iter()
        .filter_map(|(file, path)| path.as_deref().map(|path| (file, path)))
        .collect()
}

/// Resolves a brand file named in site.yaml: inside the content folder, an allowed kind, not
/// too large. Returns its normalised content-relative path.
pub fn resolve(
    root: &ContentRoot,
    file: BrandFile,
    written: &str,
    location: Location,
) -> Result<PathBuf, Diagnostic> {
    let path = root.resolve_reference(Path::new("site.yaml"), written).map_err(|error| {
        Diagnostic::error(error.code(), format!("brand.{}: {error}", file.key))
            .at(location.clone())
            .hint("brand files are relative to site.yaml and must be inside the content folder")
    })?;
    let extension =
        path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    if !file.extensions.contains(&extension.as_str()) {
        return Err(Diagnostic::error(
            "invalid-brand-file",
            format!("brand.{} `{written}` is not a {} file", file.key, file.extensions.join(", ")),
        )
        .at(location));
    }
    let size = std::fs::metadata(root.join(&path)).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            "invalid-brand-file",
            format!(
                "brand.{} `{written}` is {}; brand files may be at most {}",
                file.key,
                crate::size::human_size(size),
                crate::size::human_size(MAX_FILE_BYTES)
            ),
        )
        .at(location)
        .hint("export a smaller image: the overview loads it for every reader"));
    }
    Ok(path)
}

/// The site path a brand file is served at.
pub fn asset_path(file: BrandFile, path: &Path) -> String {
    let extension =
        path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    format!("assets/{}.{extension}", file.asset)
}

/// The MIME type of an image by its extension, for `<link rel="icon" type=…>`.
pub fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        _ => "image/jpeg",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_examples() {
        assert!((WHITE.contrast(BLACK) - 21.0).abs() < 1e-9);
        // #767676 on white is the well-known lightest AA grey (4.54:1).
        let grey = Rgb::parse("#767676").unwrap();
        assert!((grey.contrast(WHITE) - 4.54).abs() < 0.01);
    }

    #[test]
    fn parses_colours_and_refuses_others() {
        assert_eq!(Rgb::parse("#2456d6"), Some(Rgb(0x24, 0x56, 0xd6)));
        assert_eq!(Rgb::parse("#fff"), Some(WHITE));
        for bad in ["2456d6", "#2456d", "#ggg", "blue", "#2456d6ff", "#ü12"] {
            assert_eq!(palette(bad), Err(ColorError::Unreadable), "{bad}");
        }
    }

    #[test]
    fn a_light_colour_fails_with_a_suggestion_that_passes() {
        let Err(ColorError::LowContrast { ratio, suggestion }) = palette("#ffcc00") else { panic!() };
        assert!(ratio < AA_TEXT);
        let palette = palette(&suggestion.to_string()).expect("the suggestion passes");
        assert_eq!(palette.light.brand, suggestion);
    }

    #[test]
    fn every_derived_shade_reaches_aa_for_many_colours() {
        // A sweep over the colour cube: whatever passes, every shade it derives is readable.
        let mut passed = 0;
        for r in (0..=255u16).step_by(17) {
            for g in (0..=255u16).step_by(17) {
                for b in (0..=255u16).step_by(17) {
                    let text = Rgb(r as u8, g as u8, b as u8).to_string();
                    let Ok(p) = palette(&text) else { continue };
                    passed += 1;
                    for bg in LIGHT_BACKGROUNDS.iter().chain([&p.light.soft]) {
                        assert!(p.light.brand.contrast(*bg) >= AA_TEXT, "{text} light on {bg}");
                    }
                    assert!(WHITE.contrast(p.light.brand) >= AA_TEXT, "white on {text}");
                    for bg in DARK_BACKGROUNDS.iter().chain([&p.dark.soft]) {
                        assert!(p.dark.brand.contrast(*bg) >= AA_TEXT, "{text} dark on {bg}");
                    }
                    assert!(
                        DARK_BACKGROUNDS[0].contrast(p.dark.brand) >= AA_TEXT,
                        "button text on {text} dark"
                    );
                }
            }
        }
        assert!(passed > 500, "{passed}");
    }
}
