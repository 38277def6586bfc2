/**
 * Attendance (pointage): the routes of `/api/attendance/...`, for agents and
 * activity staff, typed by the contract.
 */
import { type Schemas, call, fillPath, withQuery } from '../api/core';

export type AttendanceActivity = Schemas['AttendanceActivity'];
export type AttendanceActivities = Schemas['AttendanceActivities'];
export type Sheet = Schemas['Sheet'];
export type SheetChild = Schemas['SheetChild'];
export type SheetGroup = Schemas['SheetGroup'];
export type SheetPerson = Schemas['SheetPerson'];
export type Week = Schemas['Week'];
export type Mark = Schemas['Mark'];

export const attendanceActivities = () => call('get', '/api/attendance/activities');

export const sheet = (id: string, date: string) =>
  call('get', '/api/attendance/activities/{id}/sheet', { path: { id }, query: { date } });

export const week = (id: string, date: string) =>
  call('get', '/api/attendance/activities/{id}/week', { path: { id }, query: { date } });

/** The CSV of the sheet (a plain link: the browser downloads it). */
export const csvHref = (id: string, date: string) =>
  withQuery(fillPath('/api/attendance/activities/{id}/sheet.csv', { id }), { date });

export const setMark = (id: string, date: string, child: string, mark: Mark) =>
  call('put', '/api/attendance/activities/{id}/marks/{date}/{child}', { path: { id, date, child }, body: { mark } });

export const clearMark = (id: string, date: string, child: string) =>
  call('delete', '/api/attendance/activities/{id}/marks/{date}/{child}', { path: { id, date, child } });

/** The mark in words. */
export const MARK_LABELS: Record<Mark, string> = {
  present: 'Présent',
  absent_excused: 'Absent excusé',
  absent_unexcused: 'Absent non excusé',
  arrived_unreserved: 'Arrivé sans réservation',
};
