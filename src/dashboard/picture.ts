/**
 * The before/after picture of a run's cluster as SVG, from the run folder's `picture-before.json` and
 * `picture-after.json` (ClusterPicture, written when the run starts and when it ends), drawn by the report's
 * renderPictureSvg. A picture not written yet is `undefined` (the page says "no picture yet").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError, messageOf } from '../errors.ts';
import type { ClusterPicture } from '../observe/types.ts';
import { renderPictureSvg } from '../report/picture-svg.ts';

export const PICTURE_SIDES = ['before', 'after'] as const;
export type PictureSide = (typeof PICTURE_SIDES)[number];

export function pictureFile(runDir: string, side: PictureSide): string {
  return join(runDir, `picture-${side}.json`);
}

/** The picture's JSON, or undefined when the file is not there yet. Throws DASHBOARD_PICTURE_UNREADABLE otherwise. */
export function readPicture(runDir: string, side: PictureSide): ClusterPicture | undefined {
  const file = pictureFile(runDir, side);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FerryError('DASHBOARD_PICTURE_UNREADABLE', `cannot read ${file}: ${messageOf(err)}`, { subjects: { file } });
  }
  try {
    const picture = JSON.parse(text) as ClusterPicture;
    if (typeof picture !== 'object' || picture === null || !Array.isArray(picture.masters) || typeof picture.nodes !== 'object') throw new Error('not a cluster picture');
    return picture;
  } catch (err) {
    // A file being written (not yet renamed into place by its writer) or damaged: said, not guessed at.
    throw new FerryError('DASHBOARD_PICTURE_UNREADABLE', `${file} is not a cluster picture: ${messageOf(err)}`, {
      hint: 'the run writes it when it starts and when it ends; reload the page in a moment',
      subjects: { file },
    });
  }
}

export function readPictureSvg(runDir: string, side: PictureSide): string | undefined {
  const picture = readPicture(runDir, side);
  if (picture === undefined) return undefined;
  return renderPictureSvg(picture, { title: side === 'before' ? 'Before the run' : 'After the run' });
}
