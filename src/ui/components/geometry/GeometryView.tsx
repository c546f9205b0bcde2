import { GeometryForm } from './GeometryForm.tsx';
import { GeometryProgressBar } from './GeometryProgressBar.tsx';
import { GeometryResults } from './GeometryResults.tsx';
import { LibraryCompare } from './LibraryCompare.tsx';

/** The geometry tab: the Figs. 5-7 experiment, its progress and its plots; distances between library picks. */
export function GeometryView() {
  return (
    <>
      <GeometryForm />
      <GeometryProgressBar />
      <GeometryResults />
      <LibraryCompare />
    </>
  );
}
