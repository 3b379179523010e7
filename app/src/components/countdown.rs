//! A live countdown to the deadline, ticking once JavaScript has hydrated the page.

use leptos::prelude::*;

/// "29 days, 23:59:10 left", or a closing sentence once the time is up.
pub fn remaining_text(remaining_ms: i64) -> String {
    if remaining_ms <= 0 {
        return "The deadline has passed.".to_owned();
    }
    let total = remaining_ms.div_euclid(1000);
    let (days, rest) = (total / 86_400, total % 86_400);
    let clock = format!(
        "{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    match days {
        0 => format!("{clock} left"),
        1 => format!("1 day, {clock} left"),
        n => format!("{n} days, {clock} left"),
    }
}

#[component]
pub fn Countdown(closes_at_ms: i64, rendered_at_ms: i64) -> impl IntoView {
    let now_ms = RwSignal::new(rendered_at_ms);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            // Count on the server's clock: the person's device may be set wrong.
            let offset = rendered_at_ms - js_sys::Date::now() as i64;
            let tick = move || now_ms.set(js_sys::Date::now() as i64 + offset);
            tick();
            if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
                on_cleanup(move || handle.clear());
            }
        }
    });
    view! {
        <p class="countdown" id="countdown">{move || remaining_text(closes_at_ms - now_ms.get())}</p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_days_and_clock() {
        assert_eq!(
            remaining_text(((29 * 86_400) + 3600 + 61) * 1000 + 500),
            "29 days, 01:01:01 left"
        );
        assert_eq!(remaining_text((86_400 + 5) * 1000), "1 day, 00:00:05 left");
        assert_eq!(remaining_text(59_999), "00:00:59 left");
        assert_eq!(remaining_text(0), "The deadline has passed.");
    }
}
