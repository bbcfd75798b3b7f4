//! Deadlines of appeals under the shipped rules (`data/sla.toml`) and calendar
//! (`data/calendar/ru.toml`), with the default working hours (Moscow, 08–12 and 13–17).

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Moscow;
use mcu::domain::calendar::{CalendarError, CalendarFile, WorkCalendar, WorkHours};
use mcu::domain::sla::{Sla, SlaInput};
use mcu::domain::{Channel, Deadlines};

const RU: &str = include_str!("../data/calendar/ru.toml");
const SLA: &str = include_str!("../data/sla.toml");

fn cal() -> WorkCalendar {
    let file = CalendarFile::from_toml(RU).expect("shipped calendar loads");
    WorkCalendar::new(file, WorkHours::default()).expect("calendar builds")
}

fn sla() -> Sla {
    Sla::from_toml(SLA).expect("shipped rules load")
}

/// A Moscow wall-clock instant.
fn msk(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Moscow
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("unambiguous Moscow time")
        .with_timezone(&Utc)
}

fn input(channel: Channel, received_at: DateTime<Utc>) -> SlaInput {
    SlaInput {
        channel,
        fz59: false,
        urgent: false,
        received_at,
        interim_at: None,
        extended: false,
    }
}

fn deadlines(i: SlaInput) -> Deadlines {
    sla().deadlines(&cal(), &i).expect("inside the known years")
}

// --- the examples of the specification ----------------------------------------------------------

#[test]
fn im_received_friday_afternoon_is_due_monday_afternoon() {
    let d = deadlines(input(Channel::Im, msk(2026, 11, 27, 16, 30)));
    assert_eq!(d.first_response_due, Some(msk(2026, 11, 30, 16, 30)));
    assert_eq!(d.answer_due, Some(msk(2026, 11, 30, 16, 30)));
    assert_eq!(d.register_due, None);
}

#[test]
fn urgent_im_received_on_saturday_is_due_monday_noon() {
    let d = deadlines(SlaInput {
        urgent: true,
        ..input(Channel::Im, msk(2026, 11, 28, 10, 0))
    });
    assert_eq!(d.first_response_due, Some(msk(2026, 11, 30, 12, 0)));
    assert_eq!(d.answer_due, Some(msk(2026, 11, 30, 12, 0)));
}

#[test]
fn pos_message_before_new_year_is_due_after_the_holidays() {
    let d = deadlines(input(Channel::Pos, msk(2026, 12, 24, 11, 0)));
    assert_eq!(d.answer_due, Some(msk(2027, 1, 18, 17, 0)));
    assert_eq!(d.first_response_due, None);
    assert_eq!(d.register_due, None);
}

#[test]
fn letter_due_on_new_year_moves_back_to_the_last_working_day() {
    let d = deadlines(input(Channel::Letter, msk(2026, 12, 2, 10, 0)));
    assert_eq!(d.answer_due, Some(msk(2026, 12, 30, 17, 0)));
}

#[test]
fn im_received_on_a_short_day_is_due_after_the_may_holidays() {
    let d = deadlines(input(Channel::Im, msk(2026, 4, 30, 15, 30)));
    assert_eq!(d.first_response_due, Some(msk(2026, 5, 4, 16, 30)));
}

// --- ИМ, messengers, page comments ----------------------------------------------------------------

#[test]
fn messenger_and_page_follow_the_im_rule() {
    for channel in [Channel::Messenger, Channel::Page] {
        let d = deadlines(input(channel, msk(2026, 11, 27, 16, 30)));
        assert_eq!(
            d.first_response_due,
            Some(msk(2026, 11, 30, 16, 30)),
            "{channel}"
        );
        assert_eq!(d.answer_due, Some(msk(2026, 11, 30, 16, 30)), "{channel}");
    }
}

#[test]
fn im_received_at_night_counts_from_eight() {
    let d = deadlines(input(Channel::Im, msk(2026, 11, 26, 3, 0)));
    assert_eq!(d.first_response_due, Some(msk(2026, 11, 26, 17, 0)));
}

#[test]
fn im_received_at_lunch_counts_from_one() {
    let d = deadlines(input(Channel::Im, msk(2026, 11, 26, 12, 15)));
    // 13:00-17:00 (4 h) and 08:00-12:00 next day (4 h).
    assert_eq!(d.first_response_due, Some(msk(2026, 11, 27, 12, 0)));
}

#[test]
fn im_received_on_a_holiday_counts_from_the_next_working_day() {
    let d = deadlines(input(Channel::Im, msk(2026, 6, 12, 11, 0)));
    // Fri 12.06 is Russia Day; Mon 15.06 from 08:00.
    assert_eq!(d.first_response_due, Some(msk(2026, 6, 15, 17, 0)));
}

#[test]
fn im_received_before_a_working_saturday_uses_it() {
    // Fri 19.02.2027 16:00: 1 h on Friday, 7 h on the short Saturday 20.02 (ends 16:00).
    let d = deadlines(input(Channel::Im, msk(2027, 2, 19, 16, 0)));
    assert_eq!(d.first_response_due, Some(msk(2027, 2, 20, 16, 0)));
    // Fri 01.11.2024 09:00: the whole of Friday.
    let d = deadlines(input(Channel::Im, msk(2024, 11, 1, 9, 0)));
    assert_eq!(d.first_response_due, Some(msk(2024, 11, 2, 9, 0)));
}

#[test]
fn an_interim_answer_gives_seven_working_days_for_the_final_one() {
    let d = deadlines(SlaInput {
        interim_at: Some(msk(2026, 11, 30, 10, 0)),
        ..input(Channel::Im, msk(2026, 11, 27, 16, 30))
    });
    // The first response deadline stays; the answer: 01-04.12, 07-09.12.
    assert_eq!(d.first_response_due, Some(msk(2026, 11, 30, 16, 30)));
    assert_eq!(d.answer_due, Some(msk(2026, 12, 9, 17, 0)));
}

#[test]
fn an_interim_answer_before_new_year_skips_the_holidays() {
    let d = deadlines(SlaInput {
        interim_at: Some(msk(2026, 12, 28, 18, 0)),
        ..input(Channel::Page, msk(2026, 12, 28, 9, 0))
    });
    // 29.12, 30.12, 11.01, 12.01, 13.01, 14.01, 15.01.
    assert_eq!(d.answer_due, Some(msk(2027, 1, 15, 17, 0)));
}

#[test]
fn urgency_does_not_change_the_interim_rule() {
    let d = deadlines(SlaInput {
        urgent: true,
        interim_at: Some(msk(2026, 11, 30, 10, 0)),
        ..input(Channel::Messenger, msk(2026, 11, 30, 9, 0))
    });
    assert_eq!(d.first_response_due, Some(msk(2026, 11, 30, 14, 0)));
    assert_eq!(d.answer_due, Some(msk(2026, 12, 9, 17, 0)));
}

// --- ПОС messages, phone, other -----------------------------------------------------------------

#[test]
fn phone_and_other_get_ten_working_days_without_first_response() {
    for channel in [Channel::Phone, Channel::Other] {
        let d = deadlines(input(channel, msk(2026, 12, 24, 11, 0)));
        assert_eq!(d.answer_due, Some(msk(2027, 1, 18, 17, 0)), "{channel}");
        assert_eq!(d.first_response_due, None, "{channel}");
    }
}

#[test]
fn ten_working_days_ignore_the_hour_of_receipt() {
    let early = deadlines(input(Channel::Pos, msk(2026, 11, 2, 0, 5)));
    let late = deadlines(input(Channel::Pos, msk(2026, 11, 2, 23, 55)));
    // 03.11 (short), 05.11, 06.11, 09-13.11, 16.11, 17.11: 04.11 is a holiday.
    assert_eq!(early.answer_due, Some(msk(2026, 11, 17, 17, 0)));
    assert_eq!(late.answer_due, early.answer_due);
}

#[test]
fn ten_working_days_ending_on_a_short_day_end_at_four() {
    // 16.04.2026 + 10 wd = Thu 30.04 (short).
    let d = deadlines(input(Channel::Pos, msk(2026, 4, 16, 12, 0)));
    assert_eq!(d.answer_due, Some(msk(2026, 4, 30, 16, 0)));
}

#[test]
fn urgency_and_interim_answers_do_not_change_a_pos_message() {
    let d = deadlines(SlaInput {
        urgent: true,
        interim_at: Some(msk(2026, 12, 25, 10, 0)),
        ..input(Channel::Pos, msk(2026, 12, 24, 11, 0))
    });
    assert_eq!(d.answer_due, Some(msk(2027, 1, 18, 17, 0)));
    assert_eq!(d.first_response_due, None);
}

// --- 59-ФЗ -------------------------------------------------------------------------------------

#[test]
fn letter_registration_is_due_in_three_days_moved_back_from_a_weekend() {
    // 02.12.2026 + 3 = Sat 05.12 -> Fri 04.12.
    let d = deadlines(input(Channel::Letter, msk(2026, 12, 2, 10, 0)));
    assert_eq!(d.register_due, Some(msk(2026, 12, 4, 17, 0)));
    assert_eq!(d.first_response_due, None);
}

#[test]
fn a_pos_appeal_flagged_fz59_follows_59_fz() {
    let d = deadlines(SlaInput {
        fz59: true,
        ..input(Channel::Pos, msk(2026, 12, 2, 10, 0))
    });
    assert_eq!(d.register_due, Some(msk(2026, 12, 4, 17, 0)));
    assert_eq!(d.answer_due, Some(msk(2026, 12, 30, 17, 0)));
    assert_eq!(d.first_response_due, None);
}

#[test]
fn an_im_appeal_flagged_fz59_follows_59_fz() {
    let d = deadlines(SlaInput {
        fz59: true,
        ..input(Channel::Im, msk(2026, 11, 2, 10, 0))
    });
    assert_eq!(d.first_response_due, None);
    assert_eq!(d.answer_due, Some(msk(2026, 12, 2, 17, 0)));
}

#[test]
fn fz59_days_count_from_the_moscow_date_of_receipt() {
    // 23:30 UTC on 01.12 is 02:30 on 02.12 in Moscow.
    let received = Utc
        .with_ymd_and_hms(2026, 12, 1, 23, 30, 0)
        .single()
        .expect("valid");
    let d = deadlines(input(Channel::Letter, received));
    assert_eq!(d.answer_due, Some(msk(2026, 12, 30, 17, 0)));
}

#[test]
fn fz59_due_on_a_short_day_ends_at_four() {
    // 31.10.2026 + 3 = Tue 03.11 (short).
    let d = deadlines(input(Channel::Letter, msk(2026, 10, 31, 12, 0)));
    assert_eq!(d.register_due, Some(msk(2026, 11, 3, 16, 0)));
}

#[test]
fn an_extension_counts_from_the_nominal_end_of_the_first_term() {
    // Received Thu 05.03.2026: +30 = Sat 04.04 -> due Fri 03.04.
    let plain = deadlines(input(Channel::Letter, msk(2026, 3, 5, 10, 0)));
    assert_eq!(plain.answer_due, Some(msk(2026, 4, 3, 17, 0)));
    // Extended: +30 +30 = Mon 04.05 (a working day), not 03.04 + 30 = 03.05 -> 30.04.
    let extended = deadlines(SlaInput {
        extended: true,
        ..input(Channel::Letter, msk(2026, 3, 5, 10, 0))
    });
    assert_eq!(extended.answer_due, Some(msk(2026, 5, 4, 17, 0)));
    assert_eq!(extended.register_due, plain.register_due);
}

#[test]
fn an_extended_deadline_on_a_holiday_moves_back() {
    // 02.12.2026 + 60 = Sun 31.01.2027 -> Fri 29.01.
    let d = deadlines(SlaInput {
        extended: true,
        ..input(Channel::Letter, msk(2026, 12, 2, 10, 0))
    });
    assert_eq!(d.answer_due, Some(msk(2027, 1, 29, 17, 0)));
}

#[test]
fn the_extended_flag_does_nothing_outside_59_fz() {
    let d = deadlines(SlaInput {
        extended: true,
        ..input(Channel::Pos, msk(2026, 12, 24, 11, 0))
    });
    assert_eq!(d.answer_due, Some(msk(2027, 1, 18, 17, 0)));
}

// --- the edge of the calendar -------------------------------------------------------------------

#[test]
fn a_deadline_crossing_into_2028_is_missing_year() {
    let err = sla()
        .deadlines(&cal(), &input(Channel::Pos, msk(2027, 12, 24, 11, 0)))
        .expect_err("2028 is not in the shipped calendar");
    assert_eq!(err, CalendarError::MissingYear(2028));
    assert!(err.to_string().contains("no year 2028"));
    let err = sla()
        .deadlines(&cal(), &input(Channel::Letter, msk(2027, 12, 10, 11, 0)))
        .expect_err("2028 is not in the shipped calendar");
    assert_eq!(err, CalendarError::MissingYear(2028));
}

#[test]
fn a_workspace_year_added_by_merging_makes_the_deadline_computable() {
    let mut file = CalendarFile::from_toml(RU).expect("loads");
    // A made-up 2028 for the test: the New Year days off only.
    file.merge(
        CalendarFile::from_toml(
            "[2028]\nholidays = [\"2028-01-03\", \"2028-01-04\", \"2028-01-05\", \"2028-01-06\", \"2028-01-07\"]\n",
        )
        .expect("workspace year loads"),
    );
    let cal = WorkCalendar::new(file, WorkHours::default()).expect("builds");
    let d = sla()
        .deadlines(&cal, &input(Channel::Pos, msk(2027, 12, 24, 11, 0)))
        .expect("2028 is known now");
    // 27-30.12.2027 (4), then 10-14.01 (5) and 17.01 (10th).
    assert_eq!(d.answer_due, Some(msk(2028, 1, 17, 17, 0)));
}

#[test]
fn a_received_date_before_the_calendar_is_missing_year() {
    let err = sla()
        .deadlines(&cal(), &input(Channel::Im, msk(2023, 12, 29, 10, 0)))
        .expect_err("2023 is not in the shipped calendar");
    assert_eq!(err, CalendarError::MissingYear(2023));
}

// --- measuring against deadlines ---------------------------------------------------------------

#[test]
fn time_left_and_days_overdue_are_measured_in_working_time() {
    let cal = cal();
    let due = msk(2026, 11, 30, 16, 30);
    let now = msk(2026, 11, 27, 16, 45);
    assert_eq!(
        cal.working_seconds_between(now, due),
        Ok(7 * 3600 + 45 * 60)
    );
    let later = msk(2026, 12, 3, 9, 0);
    assert_eq!(
        cal.working_days_between(cal.local_date(due), cal.local_date(later)),
        Ok(3)
    );
}

// --- a reopened appeal: a new answer term from the reopening ------------------------------------

fn reopened(i: SlaInput, at: DateTime<Utc>) -> Deadlines {
    sla()
        .deadlines_of_term(&cal(), &i, Some(at))
        .expect("inside the known years")
}

#[test]
fn im_reopened_on_friday_evening_is_due_monday_at_the_end_of_work() {
    // Received on Monday, reopened on Friday 27.11.2026 at 18:30 (after work): the 8 working
    // hours of the new term start on Monday 08:00 and end at 17:00 (lunch 12–13 not counted).
    let i = input(Channel::Im, msk(2026, 11, 23, 9, 0));
    let d = reopened(i, msk(2026, 11, 27, 18, 30));
    assert_eq!(d.answer_due, Some(msk(2026, 11, 30, 17, 0)));
    assert_eq!(
        d.answer_due,
        Some(
            cal()
                .add_working_hours(msk(2026, 11, 27, 18, 30), 8)
                .unwrap()
        )
    );
    // The first response was due once, from the receipt.
    assert_eq!(d.first_response_due, deadlines(i).first_response_due);
}

#[test]
fn pos_reopened_on_friday_evening_gets_ten_working_days_from_that_friday() {
    let i = input(Channel::Pos, msk(2026, 11, 2, 10, 0));
    let at = msk(2026, 11, 27, 18, 30);
    let d = reopened(i, at);
    // The 10th working day after Friday 27.11 is Friday 11.12.2026.
    assert_eq!(d.answer_due, Some(msk(2026, 12, 11, 17, 0)));
    assert_eq!(
        d.answer_due,
        Some(
            cal()
                .end_of_nth_working_day_after(cal().local_date(at), 10)
                .unwrap()
        )
    );
    assert!(d.answer_due > deadlines(i).answer_due);
}

#[test]
fn an_interim_answer_counts_only_in_the_term_it_was_given_in() {
    let mut i = input(Channel::Messenger, msk(2026, 11, 23, 9, 0));
    // The interim answer of the first term: the reopened term ignores it (8 working hours).
    i.interim_at = Some(msk(2026, 11, 23, 10, 0));
    let at = msk(2026, 11, 27, 18, 30);
    assert_eq!(reopened(i, at).answer_due, Some(msk(2026, 11, 30, 17, 0)));
    // An interim answer after the reopening: 7 working days from it.
    i.interim_at = Some(msk(2026, 11, 30, 9, 0));
    assert_eq!(reopened(i, at).answer_due, Some(msk(2026, 12, 9, 17, 0)));
}

#[test]
fn fz59_reopened_gets_thirty_days_from_the_reopening() {
    let mut i = input(Channel::Letter, msk(2026, 10, 1, 10, 0));
    let at = msk(2026, 11, 27, 18, 30);
    let d = reopened(i, at);
    // 27.11 + 30 days = Sunday 27.12.2026: moved back to Friday 25.12.
    assert_eq!(d.answer_due, Some(msk(2026, 12, 25, 17, 0)));
    assert_eq!(d.register_due, deadlines(i).register_due);
    i.extended = true;
    // Extended: 27.11 + 60 days = Tuesday 26.01.2027.
    assert_eq!(reopened(i, at).answer_due, Some(msk(2027, 1, 26, 17, 0)));
}
