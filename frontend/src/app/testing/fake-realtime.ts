import { signal } from '@angular/core';
import { filter, Observable, Subject } from 'rxjs';

import { RealtimeEvent } from '../core/realtime/events';
import { ConnectionState } from '../core/realtime/realtime.service';

/** Stands in for the WebSocket in page tests: the test pushes events by hand. */
export class FakeRealtime {
  readonly events = new Subject<RealtimeEvent>();
  readonly events$: Observable<RealtimeEvent> = this.events.asObservable();
  readonly reconnects = new Subject<void>();
  readonly reconnected$ = this.reconnects.asObservable();
  readonly state = signal<ConnectionState>('open');

  on<T extends RealtimeEvent['type']>(
    ...types: T[]
  ): Observable<Extract<RealtimeEvent, { type: T }>> {
    return this.events$.pipe(
      filter((event): event is Extract<RealtimeEvent, { type: T }> =>
        (types as string[]).includes(event.type),
      ),
    );
  }

  push(event: RealtimeEvent): void {
    this.events.next(event);
  }
}
