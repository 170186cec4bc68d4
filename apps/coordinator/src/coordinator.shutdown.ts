import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EvaluationPublisher } from './campaigns/evaluation-publisher';
import { DirectoryPublisher } from './directory/directory-publisher';

/** Stops both publishers, then closes the database they read their pending records from. */
@Injectable()
export class CoordinatorShutdown implements OnApplicationShutdown {
  constructor(
    private readonly directory: DirectoryPublisher,
    private readonly evaluation: EvaluationPublisher,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.directory.stop();
    await this.evaluation.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
