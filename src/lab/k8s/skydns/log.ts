/**
 * skydns logs with Go's standard `log` package, not glog: `2017/05/11 09:08:07 skydns: message` (pure).
 */
const pad = (n: number): string => String(n).padStart(2, '0');

export function renderGoLogLine(now: Date, message: string): string {
  return `${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())} ${message}\n`;
}
